package io.denseserve.classify;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.denseserve.testing.Http;
import io.denseserve.testing.Images;
import io.denseserve.testing.Prerequisites;
import io.denseserve.training.FashionMnist;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * With no model configured the service serves its embedded Fashion-MNIST bundle (what
 * {@code ./mvnw spring-boot:run} does), and it recognises real Fashion-MNIST test images sent as PNG.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class DefaultModelEndToEndTest {

    @LocalServerPort
    int port;

    @Test
    void embeddedModelClassifiesFashionMnistTestImages() throws Exception {
        Http http = new Http(port);
        http.awaitReady();
        JsonNode model = new ObjectMapper().readTree(http.get("/models").body()).get(0);
        assertThat(model.path("name").asText()).isEqualTo("fashion-mnist-densenet-bc");
        assertThat(model.path("inputShape").toString()).isEqualTo("[1,28,28]");
        assertThat(model.path("engine").asText()).as("engine=auto on CPU").isEqualTo("onnxruntime");
        assertThat(model.path("precision").asText()).as("precision defaults to fp32").isEqualTo("fp32");
        Prerequisites.require(Files.exists(FashionMnist.dataDir().resolve("t10k-images-idx3-ubyte.gz")),
                "default model accuracy: dataset-fashion-mnist not installed, only the model's description was checked");
        FashionMnist test = FashionMnist.test(FashionMnist.dataDir()).head(200);
        int correct = 0;
        for (int i = 0; i < test.size(); i++) {
            BufferedImage image = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
            byte[] pixels = java.util.Arrays.copyOfRange(test.images(), i * 784, (i + 1) * 784);
            image.getRaster().setDataElements(0, 0, 28, 28, pixels);
            JsonNode r = new ObjectMapper().readTree(http.postRaw("/classify?topK=1", "image/png",
                    Images.encode(image, "png")).body());
            correct += r.path("top1").path("index").asInt() == test.labels()[i] ? 1 : 0;
        }
        double claimed = model.path("provenance").path("testAccuracyInProcess").asDouble();
        // 200 images: allow for sampling noise around the accuracy the bundle claims for all 10,000.
        assertThat(correct / 200.0).isGreaterThan(claimed - 0.07).isGreaterThan(0.7);
    }
}
