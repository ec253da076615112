package io.denseserve.classify;

import static io.denseserve.classify.ClassifyEndToEndTest.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import io.denseserve.testing.Http;
import io.denseserve.testing.Images;
import io.denseserve.testing.TestBundles;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * A burst far beyond a one-slot queue: the excess gets 503 problem JSON with Retry-After at once,
 * everything accepted is answered 200, nothing hangs, and the service answers normally afterwards.
 * Refusals come from two places (the early filter while every permit is taken, the service when the
 * last permit goes between check and take); both must give the same answer and both are counted.
 */
@AutoConfigureObservability
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class OverloadEndToEndTest {

    @DynamicPropertySource
    static void slowModelTinyQueue(DynamicPropertyRegistry registry) {
        Path bundle = TestBundles.rgb(22, 12, 96); // tens of milliseconds per image
        registry.add("denseserve.model.bundle", bundle::toString);
        registry.add("denseserve.inference.queue-capacity", () -> "1");
        registry.add("denseserve.inference.batch-size", () -> "1");
        registry.add("denseserve.inference.max-batch-delay", () -> "0ms");
    }

    @LocalServerPort
    int port;

    @Test
    void excessRequestsGetA503QuicklyAndTheRestSucceed() throws Exception {
        Http http = new Http(port);
        http.awaitReady();
        byte[] png = Images.png(96, 96);
        double refusedBefore = overloadedCount(http);
        ExecutorService pool = Executors.newFixedThreadPool(32);
        List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
        try {
            for (int i = 0; i < 64; i++) {
                responses.add(CompletableFuture.supplyAsync(() -> http.postRaw("/classify", "image/png", png), pool));
            }
            int ok = 0;
            int overloaded = 0;
            for (CompletableFuture<HttpResponse<String>> f : responses) {
                HttpResponse<String> r = f.join();
                if (r.statusCode() == 503) {
                    overloaded++;
                    assertProblem(r, 503, "overloaded");
                    assertThat(r.headers().firstValue("Retry-After")).hasValue("1");
                    assertThat(ClassifyEndToEndTest.json(r).path("instance").asText()).isEqualTo("/classify");
                } else {
                    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
                    ok++;
                }
            }
            assertThat(overloaded).as("requests refused").isPositive();
            assertThat(ok).as("requests served").isPositive();
            assertThat(overloadedCount(http) - refusedBefore).as("refusals counted as overloaded").isEqualTo(overloaded);
        } finally {
            pool.shutdown();
        }
        assertThat(http.postRaw("/classify", "image/png", png).statusCode()).isEqualTo(200);
        assertThat(http.get("/actuator/health/readiness").statusCode()).isEqualTo(200);
    }

    private static double overloadedCount(Http http) {
        String metrics = http.get("/actuator/prometheus").body();
        Matcher m = Pattern.compile("(?m)^denseserve_requests_total\\{[^}]*outcome=\"overloaded\",protocol=\"rest\"[^}]*} (\\S+)$").matcher(metrics);
        assertThat(m.find()).as("the overloaded series in %s", metrics).isTrue();
        return Double.parseDouble(m.group(1));
    }
}
