package io.denseserve.models;

import static org.assertj.core.api.Assertions.assertThat;

import io.denseserve.testing.Http;
import io.denseserve.testing.Images;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * A torchvision model whose weights file does not exist: the same contract as a corrupt bundle
 * ({@link ModelLoadFailureTest}): alive, never ready, the reason stated without the path, 503 for
 * classifications.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
    "denseserve.model.torchvision=densenet121", "denseserve.model.weights=/nonexistent/models/densenet121.pth"})
class MissingModelTest {

    @LocalServerPort
    int port;

    @Autowired
    ModelService models;

    @Test
    void missingWeightsLeaveTheServiceAliveButNeverReady() throws Exception {
        Http http = new Http(port);
        long until = System.currentTimeMillis() + 30_000;
        while (models.state() != ModelState.FAILED && System.currentTimeMillis() < until) {
            Thread.sleep(50);
        }
        assertThat(models.state()).isEqualTo(ModelState.FAILED);
        assertThat(models.failure()).isNotBlank();
        assertThat(http.get("/actuator/health/liveness").statusCode()).isEqualTo(200);
        HttpResponse<String> readiness = http.get("/actuator/health/readiness");
        assertThat(readiness.statusCode()).isEqualTo(503);
        assertThat(readiness.body()).contains("FAILED").doesNotContain("/nonexistent");
        HttpResponse<String> classify = http.postRaw("/classify", "image/png", Images.png(16, 16));
        assertThat(classify.statusCode()).isEqualTo(503);
        assertThat(classify.body()).contains("model-not-ready").doesNotContain("/nonexistent");
    }
}
