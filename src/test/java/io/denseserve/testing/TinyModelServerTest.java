package io.denseserve.testing;

import java.nio.file.Path;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Base of end-to-end tests that need the real service on a random port with the smallest model
 * (a DenseNet-BC of depth 10 with random weights at 16x16): they test plumbing, not predictions.
 * Subclasses share one Spring context.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
public abstract class TinyModelServerTest {

    @DynamicPropertySource
    static void tinyModel(DynamicPropertyRegistry registry) {
        Path bundle = TestBundles.rgb(10, 4, 16);
        registry.add("denseserve.model.bundle", bundle::toString);
    }

    @LocalServerPort
    protected int port;

    /** The running service, once its model is ready. */
    protected Http readyService() {
        Http http = new Http(port);
        http.awaitReady();
        return http;
    }
}
