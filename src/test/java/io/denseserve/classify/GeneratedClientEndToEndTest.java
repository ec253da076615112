package io.denseserve.classify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.denseserve.client.ApiClient;
import io.denseserve.client.ApiException;
import io.denseserve.client.api.ClassifyApi;
import io.denseserve.client.api.ModelsApi;
import io.denseserve.client.model.BatchClassificationResponse;
import io.denseserve.client.model.ClassificationResponse;
import io.denseserve.client.model.ModelInfo;
import io.denseserve.testing.Http;
import io.denseserve.testing.Images;
import io.denseserve.testing.TinyModelServerTest;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Java client that the build generates from our OpenAPI document (kept equal to the live one by
 * {@link OpenApiContractTest}) classifies an image against the running service.
 */
class GeneratedClientEndToEndTest extends TinyModelServerTest {

    @TempDir
    Path tmp;

    ApiClient client() {
        readyService();
        ApiClient client = new ApiClient();
        client.updateBaseUri("http://localhost:" + port);
        return client;
    }

    @Test
    void generatedClientClassifiesAndListsModels() throws Exception {
        ApiClient client = client();
        File image = Files.write(tmp.resolve("image.png"), Images.png(40, 30)).toFile();
        ClassificationResponse response = new ClassifyApi(client).classify(image, 2, null, null, null, null);
        assertThat(response.getSchemaVersion()).isEqualTo("1");
        assertThat(response.getTopK()).hasSize(2);
        assertThat(response.getTop1().getLabel()).isIn("red", "green", "blue");
        assertThat(response.getTimings().getTotalMs()).isPositive();
        assertThat(response.getExplanation()).isNull();

        ClassificationResponse explained = new ClassifyApi(client).classify(image, 1, true, 2, null, null);
        assertThat(explained.getExplanation().getExplained().getIndex()).isEqualTo(2);
        assertThat(explained.getExplanation().getOverlayPng()).startsWith(new byte[] {(byte) 0x89, 'P', 'N', 'G'});
        assertThat(explained.getExplanation().getOverlayWidth()).isEqualTo(40);

        BatchClassificationResponse batch = new ClassifyApi(client).classifyBatch(List.of(image, image), 1, null, null);
        assertThat(batch.getResults()).hasSize(2);
        assertThat(batch.getResults().get(1).getResult().getTop1()).isEqualTo(response.getTop1().probability(null)
                .label(batch.getResults().get(1).getResult().getTop1().getLabel())
                .index(batch.getResults().get(1).getResult().getTop1().getIndex())
                .probability(batch.getResults().get(1).getResult().getTop1().getProbability()));

        List<ModelInfo> models = new ModelsApi(client).listModels();
        assertThat(models).singleElement().satisfies(m -> assertThat(m.getNumLabels()).isEqualTo(3));
    }

    @Test
    void generatedClientSeesProblemJsonOnBadInput() throws Exception {
        ApiClient client = client();
        File text = Files.writeString(tmp.resolve("notes.txt"), "not an image").toFile();
        assertThatThrownBy(() -> new ClassifyApi(client).classify(text, 5, null, null, null, null))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.getCode()).isEqualTo(400);
                    assertThat(e.getResponseBody()).contains("not-an-image");
                });
    }
}
