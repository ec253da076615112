package io.denseserve.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.denseserve.testing.TestBundles;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.Status;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The running service with the connection warm-up on (the tests' own configuration turns it off):
 * readiness waits for it, the server answers its dripped bodies with 408 well within the grace
 * period (they get none) and its whole requests with 200, and none of its requests reach the
 * request metrics, while a client's
 * trickled body, even one that sends the warm-up's header with another value, gets the whole grace
 * period and is counted in both.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
    "denseserve.connections.warm-up=8s",
    "denseserve.uploads.min-data-rate-grace=" + ConnectionWarmUpTest.GRACE_SECONDS + "s"})
class ConnectionWarmUpTest {

    static final int GRACE_SECONDS = 10;

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
    ConnectionWarmUp warmUp;

    @Test
    void readinessWaitsForAWarmUpThatStaysOutOfTheMetrics() throws Exception {
        assertThat(warmUp.health().getStatus()).as("readiness while the warm-up runs").isEqualTo(Status.OUT_OF_SERVICE);
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (warmUp.state() != ConnectionWarmUp.State.DONE && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        Health done = warmUp.health();
        assertThat(done.getStatus()).isEqualTo(Status.UP);
        Map<String, Object> details = done.getDetails();
        assertThat((Integer) details.get("connections")).as("connections opened, with reopened ones")
                .isGreaterThan(256);
        assertThat((Integer) details.get("answered408")).as("dripped bodies the rate check answered, before any grace period ended")
                .isPositive();
        assertThat((Integer) details.get("wholeRequests")).as("whole requests answered on kept-alive connections")
                .isGreaterThan(16);
        assertThat(tooSlowCount()).as("the warm-up's 408s in denseserve_requests_total").isZero();
        assertThat(http408Count()).as("the warm-up's 408s in http_server_requests").isZero();
        assertThat(registry.find("http.server.requests").tag("uri", "/models").timers()).as("the warm-up's requests in http_server_requests")
                .allMatch(timer -> timer.count() == 0);

        try (Socket client = new Socket("localhost", port)) {
            client.setSoTimeout(250);
            OutputStream out = client.getOutputStream();
            out.write(("POST /classify HTTP/1.1\r\nHost: localhost\r\nContent-Type: image/png\r\nContent-Length: 100000\r\n"
                    + ConnectionWarmUp.HEADER + ": 00000000000000000000000000000000\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            String answer = "";
            long sent = System.nanoTime();
            long answerDeadline = sent + 3L * GRACE_SECONDS * 1_000_000_000L;
            while (!answer.contains("}") && System.nanoTime() < answerDeadline) {
                out.write('x');
                answer += readAvailable(client.getInputStream());
            }
            assertThat(answer).startsWith("HTTP/1.1 408");
            assertThat((System.nanoTime() - sent) / 1e9).as("seconds to a client's 408").isGreaterThanOrEqualTo(GRACE_SECONDS);
        }
        assertThat(tooSlowCount()).as("a client's 408 in denseserve_requests_total").isEqualTo(1);
        long observedDeadline = System.nanoTime() + 10_000_000_000L;
        while (http408Count() == 0 && System.nanoTime() < observedDeadline) {
            Thread.sleep(100);
        }
        assertThat(http408Count()).as("a client's 408 in http_server_requests").isEqualTo(1);
    }

    private double tooSlowCount() {
        return registry.find("denseserve.requests").tag("outcome", "too_slow").counters().stream()
                .mapToDouble(Counter::count).sum();
    }

    private long http408Count() {
        return registry.find("http.server.requests").tag("status", "408").timers().stream().mapToLong(Timer::count).sum();
    }

    private static String readAvailable(InputStream in) throws IOException {
        byte[] buffer = new byte[8192];
        try {
            int n = in.read(buffer);
            return n > 0 ? new String(buffer, 0, n, StandardCharsets.UTF_8) : "";
        } catch (SocketTimeoutException e) {
            return "";
        }
    }
}
