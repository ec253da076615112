package io.denseserve.classify;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.denseserve.testing.Http;
import io.denseserve.testing.Images;
import io.denseserve.testing.TestBundles;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** {@code denseserve.inference.engine=pytorch} serves through the libtorch plan and says so. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class PytorchEngineEndToEndTest {

    @DynamicPropertySource
    static void pytorch(DynamicPropertyRegistry registry) {
        Path bundle = TestBundles.rgb(10, 4, 16);
        registry.add("denseserve.model.bundle", bundle::toString);
        registry.add("denseserve.inference.engine", () -> "pytorch");
    }

    @LocalServerPort
    int port;

    @Test
    void classifiesWithTheLibtorchPlan() throws Exception {
        Http http = new Http(port);
        http.awaitReady();
        JsonNode model = new ObjectMapper().readTree(http.get("/models").body()).get(0);
        assertThat(model.path("engine").asText()).isEqualTo("pytorch");
        HttpResponse<String> answer = http.postRaw("/classify?topK=3", "image/png", Images.png(64, 64));
        assertThat(answer.statusCode()).isEqualTo(200);
        JsonNode topK = new ObjectMapper().readTree(answer.body()).path("topK");
        assertThat(topK).hasSize(3);
        double sum = 0;
        for (JsonNode p : topK) {
            sum += p.path("probability").asDouble();
        }
        assertThat(sum).as("all 3 classes' probabilities").isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-3));
    }
}
