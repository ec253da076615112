package io.denseserve.web;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One of the {@link ConnectionWarmUp}'s kept-alive connections that send whole requests, one after
 * another: it collects each answer until it is whole (by its Content-Length, or the last chunk),
 * and then the next request may go.
 */
final class WarmUpExchange {

    private static final Pattern CONTENT_LENGTH = Pattern.compile("\r\ncontent-length: *(\\d+)");
    private static final byte[] HEAD_END = "\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] LAST_CHUNK = "\r\n0\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    final long endNanos;
    private final ByteArrayOutputStream answer = new ByteArrayOutputStream();

    /** @param endNanos when this side closes the connection, between two exchanges */
    WarmUpExchange(long endNanos) {
        this.endNanos = endNanos;
    }

    /** Adds bytes of the answer; true once it is whole, and this is ready for the next. */
    boolean received(ByteBuffer bytes) {
        answer.write(bytes.array(), bytes.arrayOffset(), bytes.position());
        if (!whole(answer.toByteArray())) {
            return false;
        }
        answer.reset();
        return true;
    }

    static boolean whole(byte[] answer) {
        int headEnd = indexOf(answer, HEAD_END, 0);
        if (headEnd < 0) {
            return false;
        }
        String head = new String(answer, 0, headEnd, StandardCharsets.US_ASCII).toLowerCase(Locale.ROOT);
        Matcher length = CONTENT_LENGTH.matcher(head);
        if (length.find()) {
            return answer.length >= headEnd + HEAD_END.length + Long.parseLong(length.group(1));
        }
        return answer.length >= LAST_CHUNK.length
                && indexOf(answer, LAST_CHUNK, answer.length - LAST_CHUNK.length) >= 0;
    }

    private static int indexOf(byte[] bytes, byte[] part, int from) {
        for (int i = from; i + part.length <= bytes.length; i++) {
            int j = 0;
            while (j < part.length && bytes[i + j] == part[j]) {
                j++;
            }
            if (j == part.length) {
                return i;
            }
        }
        return -1;
    }
}
