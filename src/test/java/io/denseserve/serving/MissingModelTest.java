package io.denseserve.serving;

import io.denseserve.testing.Http;
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
        ModelLoadFailureTest.assertAliveButNeverReady(new Http(port), models, "/nonexistent");
    }
}
