package io.denseserve.classify;

import static io.denseserve.classify.ClassifyEndToEndTest.assertProblem;

import io.denseserve.testing.Http;
import io.denseserve.testing.Images;
import io.denseserve.testing.TestBundles;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * With a request timeout shorter than any request can take, every classification gets 504 problem
 * JSON, never a hang; dropping queued jobs before inference is covered by BatchingPredictorTest.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class DeadlineEndToEndTest {

    @DynamicPropertySource
    static void impossibleDeadline(DynamicPropertyRegistry registry) {
        Path bundle = TestBundles.rgb(10, 4, 16);
        registry.add("denseserve.model.bundle", bundle::toString);
        registry.add("denseserve.inference.request-timeout", () -> "1us");
    }

    @LocalServerPort
    int port;

    @Test
    void aPassedDeadlineIsA504ProblemNotAHang() throws Exception {
        Http http = new Http(port);
        http.awaitReady();
        for (int i = 0; i < 5; i++) {
            assertProblem(http.postRaw("/classify", "image/png", Images.png(64, 64)), 504, "deadline-exceeded");
        }
        assertProblem(http.postMultipart("/classify", "image", Images.png(64, 64)), 504, "deadline-exceeded");
    }
}
