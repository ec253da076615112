package io.denseserve.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class WarmUpExchangeTest {

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void anAnswerWithAContentLengthIsWholeOnceItsBodyIsIn() {
        String head = "HTTP/1.1 405 \r\nContent-Type: application/problem+json\r\nContent-Length: 10\r\n\r\n";
        assertThat(WarmUpExchange.whole(bytes("HTTP/1.1 405 \r\nContent-Len"))).isFalse();
        assertThat(WarmUpExchange.whole(bytes(head + "{\"a\":1"))).isFalse();
        assertThat(WarmUpExchange.whole(bytes(head + "{\"a\":1234}"))).isTrue();
    }

    @Test
    void aChunkedAnswerIsWholeAtItsLastChunk() {
        String head = "HTTP/1.1 405 \r\nTransfer-Encoding: chunked\r\n\r\n";
        assertThat(WarmUpExchange.whole(bytes(head + "a\r\n{\"a\":1234}\r\n"))).isFalse();
        assertThat(WarmUpExchange.whole(bytes(head + "a\r\n{\"a\":1234}\r\n0\r\n\r\n"))).isTrue();
    }

    @Test
    void answersArrivingInPiecesAreCountedOneByOne() {
        WarmUpExchange exchange = new WarmUpExchange(0);
        String answer = "HTTP/1.1 405 \r\nContent-Length: 2\r\n\r\n{}";
        assertThat(exchange.received(read(answer.substring(0, 20)))).isFalse();
        assertThat(exchange.received(read(answer.substring(20)))).isTrue();
        assertThat(exchange.received(read(answer.substring(0, answer.length() - 1)))).as("the next answer starts afresh").isFalse();
        assertThat(exchange.received(read("}"))).isTrue();
    }

    /** As a channel's read leaves its buffer: the bytes before the position. */
    private static ByteBuffer read(String s) {
        ByteBuffer buffer = ByteBuffer.allocate(4096);
        buffer.put(bytes(s));
        return buffer;
    }
}
