package io.denseserve.serving;

import static org.assertj.core.api.Assertions.assertThat;

import io.denseserve.testing.Http;
import io.denseserve.testing.Images;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * A corrupt model at start: the service stays alive (liveness UP) but never ready, says so without
 * revealing paths, and answers classification requests with 503 problem JSON.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class ModelLoadFailureTest {

    @DynamicPropertySource
    static void corruptBundle(DynamicPropertyRegistry registry) throws Exception {
        Path dir = Files.createTempDirectory("corrupt-bundle");
        Files.writeString(dir.resolve("manifest.json"), "{\"schemaVersion\": 1, \"name\": \"broken\"}");
        registry.add("denseserve.model.bundle", dir::toString);
    }

    @LocalServerPort
    int port;

    @Autowired
    ModelService models;

    @Test
    void corruptModelLeavesTheServiceAliveButNeverReady() throws Exception {
        assertAliveButNeverReady(new Http(port), models, "/tmp");
        assertThat(models.failure()).contains("invalid manifest.json");
    }

    /**
     * The contract for any model that cannot be served: FAILED within 30 s, liveness UP, readiness
     * 503 and classifications 503 {@code model-not-ready}, neither revealing {@code path}.
     */
    static void assertAliveButNeverReady(Http http, ModelService models, String path) throws Exception {
        long until = System.currentTimeMillis() + 30_000;
        while (models.state() != ModelState.FAILED && System.currentTimeMillis() < until) {
            Thread.sleep(50);
        }
        assertThat(models.state()).isEqualTo(ModelState.FAILED);
        assertThat(models.failure()).isNotBlank();
        assertThat(http.get("/actuator/health/liveness").statusCode()).isEqualTo(200);
        HttpResponse<String> readiness = http.get("/actuator/health/readiness");
        assertThat(readiness.statusCode()).isEqualTo(503);
        assertThat(readiness.body()).contains("FAILED").doesNotContain(path);
        HttpResponse<String> classify = http.postRaw("/classify", "image/png", Images.png(16, 16));
        assertThat(classify.statusCode()).isEqualTo(503);
        assertThat(classify.body()).contains("model-not-ready").doesNotContain(path);
    }
}
