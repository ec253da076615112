package io.denseserve.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.denseserve.testing.Http;
import io.denseserve.testing.Images;
import io.denseserve.testing.TestBundles;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import io.micrometer.core.instrument.MeterRegistry;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.web.embedded.jetty.JettyWebServer;
import org.springframework.boot.web.servlet.context.ServletWebServerApplicationContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Clients that send a request body slowly, or promise more than the memory budget holds, against
 * the running service: they get 408 or 503 problems and never keep others from being answered.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
    "denseserve.uploads.min-data-rate-grace=2s",
    "denseserve.uploads.memory-budget=256KB",
    "denseserve.limits.max-image-size=1MB"})
class SlowUploadEndToEndTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @DynamicPropertySource
    static void tinyModel(DynamicPropertyRegistry registry) {
        Path bundle = TestBundles.rgb(10, 4, 16);
        registry.add("denseserve.model.bundle", bundle::toString);
    }

    @LocalServerPort
    int port;

    @Autowired
    MeterRegistry registry;

    @Autowired
    ServletWebServerApplicationContext context;

    @Test
    void everyRequestThreadIsStartedWithTheServer() {
        // A burst is the worst moment to create threads: they are all started with the server.
        QueuedThreadPool threads = (QueuedThreadPool) ((JettyWebServer) context.getWebServer()).getServer().getThreadPool();
        assertThat(threads.getThreads()).as("request threads running").isEqualTo(threads.getMaxThreads());
    }

    @Test
    void aTricklingBodyIsAnsweredWith408AndCounted() throws Exception {
        Http http = new Http(port);
        http.awaitReady();
        double before = tooSlowCount();
        try (Socket slow = openBody(100_000)) {
            String answer = trickleUntilAnswered(slow);
            assertThat(answer).startsWith("HTTP/1.1 408").containsIgnoringCase("connection: close");
            JsonNode problem = JSON.readTree(answer.substring(answer.indexOf('{')));
            assertThat(problem.path("type").asText()).isEqualTo("https://denseserve.dev/problems/request-too-slow");
            assertThat(problem.path("detail").asText()).contains("the minimum is 8192 bytes/s");
        }
        assertThat(tooSlowCount()).isEqualTo(before + 1);
    }

    @Test
    void moreSlowBodiesThanRequestThreadsDoNotDelayAWholeRequest() throws Exception {
        assertAWholeRequestIsAnsweredBeside(250, i -> openBody(500));
    }

    @Test
    void bodiesNothingReadsDoNotHoldRequestThreadsEither() throws Exception {
        // A path that answers 404, a method not allowed on a path, and a GET: each without reading the body,
        // which a servlet container would otherwise read to its end on the request thread.
        String[] heads = {"POST /nothing", "PUT /models", "GET /models"};
        assertAWholeRequestIsAnsweredBeside(252, i -> openBody(heads[i % heads.length], "application/x-www-form-urlencoded", 500));
    }

    private interface SlowBody {
        Socket open(int i) throws IOException;
    }

    /**
     * Opens {@code count} slow bodies (more than Jetty's 200 request threads), then a whole
     * classification must be answered within 5 s; with bodies read on request threads it waits
     * for the slow bodies' timeouts (tens of seconds). Each slow body then gets its 408.
     */
    private void assertAWholeRequestIsAnsweredBeside(int count, SlowBody slowBody) throws Exception {
        Http http = new Http(port);
        http.awaitReady();
        List<Socket> slow = new ArrayList<>();
        try {
            for (int i = 0; i < count; i++) {
                slow.add(slowBody.open(i));
            }
            long start = System.nanoTime();
            HttpResponse<String> whole = http.postRaw("/classify", "image/png", Images.png(16, 16));
            double seconds = (System.nanoTime() - start) / 1e9;
            assertThat(whole.statusCode()).isEqualTo(200);
            assertThat(seconds).as("seconds for a whole request beside %d slow bodies", count).isLessThan(5);
            for (Socket socket : slow) {
                socket.setSoTimeout(15_000);
                assertThat(readAll(socket)).as("each slow body's answer").startsWith("HTTP/1.1 408");
            }
        } finally {
            for (Socket socket : slow) {
                socket.close();
            }
        }
    }

    @Test
    void aBodyRefusedBeforeItIsReadIsNotWaitedFor() throws Exception {
        new Http(port).awaitReady();
        try (Socket refused = openBody(50_000_000)) { // over the 1 MB limit: refused on its Content-Length
            refused.setSoTimeout(6_000); // closed after lingering 2 s; Jetty's idle timeout is 20 s
            assertThat(readAll(refused)).as("answered and closed").startsWith("HTTP/1.1 413")
                    .containsIgnoringCase("connection: close");
        }
    }

    @Test
    void aClientThatWaitsFor100ContinueIsAnsweredWithoutBeingAskedForItsBody() throws Exception {
        new Http(port).awaitReady();
        try (Socket waiting = new Socket("localhost", port)) {
            waiting.setSoTimeout(6_000);
            waiting.getOutputStream().write(("POST /classify HTTP/1.1\r\nHost: localhost\r\nContent-Type: image/png\r\n"
                    + "Content-Length: 50000000\r\nExpect: 100-continue\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            String answer = readAll(waiting);
            assertThat(answer).as("no 100 Continue for a body that is refused anyway").startsWith("HTTP/1.1 413")
                    .doesNotContain("100 Continue").contains("https://denseserve.dev/problems/image-too-large");
        }
    }

    @Test
    void bodiesBeyondTheMemoryBudgetAreRefusedWith503UntilItFrees() throws Exception {
        Http http = new Http(port);
        http.awaitReady();
        List<Socket> holding = new ArrayList<>();
        for (int i = 0; i < 4; i++) { // 60 KB sent of 100 KB: 64 KB buffered each, the whole 256 KB budget
            Socket socket = openBody(100_000);
            socket.getOutputStream().write(new byte[60_000]);
            holding.add(socket);
        }
        Thread.sleep(300);
        try (Socket refused = openBody(100_000)) {
            refused.setSoTimeout(6_000); // answered and closed after lingering 2 s, not after the idle timeout
            String answer = readAll(refused);
            assertThat(answer).startsWith("HTTP/1.1 503").containsIgnoringCase("retry-after: 1");
            assertThat(answer).contains("https://denseserve.dev/problems/overloaded");
        }
        for (Socket socket : holding) {
            socket.close();
        }
        long deadline = System.nanoTime() + 5_000_000_000L;
        HttpResponse<String> after;
        do {
            after = http.postRaw("/classify", "image/png", Images.png(16, 16));
        } while (after.statusCode() != 200 && System.nanoTime() < deadline);
        assertThat(after.statusCode()).as("once the slow clients left").isEqualTo(200);
    }

    @Test
    void aClientThatSendsItsWholeBodyBeforeReadingStillGetsTheAnswer() throws Exception {
        // As most HTTP clients do. Closed at once, the connection would be reset under the unread body
        // (the client's write fails), and the client's kernel would drop the answer with it.
        new Http(port).awaitReady();
        byte[] body = new byte[16 * 1024 * 1024]; // against a 1 MB limit, and more than socket buffers hold
        try (Socket declared = new Socket("localhost", port)) { // refused on its Content-Length, before any is read
            declared.setSoTimeout(10_000);
            var out = declared.getOutputStream();
            out.write(("POST /classify HTTP/1.1\r\nHost: localhost\r\nContent-Type: image/png\r\n"
                    + "Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            assertThat(readAll(declared)).startsWith("HTTP/1.1 413").contains("https://denseserve.dev/problems/image-too-large");
        }
        try (Socket chunked = new Socket("localhost", port)) { // refused once 1 MB of it has been read
            chunked.setSoTimeout(10_000);
            var out = chunked.getOutputStream();
            out.write(("POST /classify HTTP/1.1\r\nHost: localhost\r\nContent-Type: image/png\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            int chunk = 64 * 1024;
            for (int offset = 0; offset < body.length; offset += chunk) {
                out.write((Integer.toHexString(chunk) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(body, offset, chunk);
                out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
            }
            out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(readAll(chunked)).startsWith("HTTP/1.1 413").contains("https://denseserve.dev/problems/image-too-large");
        }
    }

    /** A connection that sent the headers of a PNG upload of {@code length} bytes and one byte of it. */
    private Socket openBody(int length) throws IOException {
        return openBody("POST /classify", "image/png", length);
    }

    /** A connection that sent a request's headers ({@code head}: method and path) and one byte of its body. */
    private Socket openBody(String head, String contentType, int length) throws IOException {
        Socket socket = new Socket("localhost", port);
        socket.getOutputStream().write((head + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: " + contentType + "\r\n"
                + "Content-Length: " + length + "\r\n\r\nx").getBytes(StandardCharsets.US_ASCII));
        return socket;
    }

    /**
     * Sends a body's bytes at 4 a second until the whole answer (problem JSON) has arrived, for at
     * most 15 s; returns what arrived.
     */
    private static String trickleUntilAnswered(Socket slow) throws IOException {
        slow.setSoTimeout(250);
        String answer = "";
        long deadline = System.nanoTime() + 15_000_000_000L;
        while (!answer.contains("}") && System.nanoTime() < deadline) {
            slow.getOutputStream().write('x'); // one byte a quarter second: 4 bytes/s
            answer += readAvailable(slow);
        }
        return answer;
    }

    private static String readAvailable(Socket socket) throws IOException {
        byte[] buffer = new byte[8192];
        try {
            int n = socket.getInputStream().read(buffer);
            return n > 0 ? new String(buffer, 0, n, StandardCharsets.UTF_8) : "";
        } catch (SocketTimeoutException e) {
            return "";
        }
    }

    /**
     * Everything until the server closes the connection (every answer here closes it); a socket
     * timeout before then fails the test.
     */
    private static String readAll(Socket socket) throws IOException {
        InputStream in = socket.getInputStream();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            in.transferTo(out);
        } catch (SocketTimeoutException notClosed) {
            throw notClosed;
        } catch (IOException reset) {
            // a reset after the answer still leaves the answer
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private double tooSlowCount() {
        var counter = registry.find("denseserve.requests").tag("outcome", "too_slow").tag("protocol", "rest").counter();
        return counter == null ? 0 : counter.count();
    }
}
