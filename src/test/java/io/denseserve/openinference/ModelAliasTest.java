package io.denseserve.openinference;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.denseserve.testing.Http;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/** Under KServe the model is addressed by its InferenceService's name: {@code denseserve.model.alias}. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = "denseserve.model.alias=my-isvc")
class ModelAliasTest {

    @LocalServerPort
    int port;

    @Test
    void theModelAnswersToItsAliasAndItsOwnName() throws Exception {
        Http http = new Http(port);
        http.awaitReady();
        var metadata = http.get("/v2/models/my-isvc");
        assertThat(metadata.statusCode()).isEqualTo(200);
        assertThat(new ObjectMapper().readTree(metadata.body()).path("name").asText()).isEqualTo("my-isvc");
        String own = new ObjectMapper().readTree(http.get("/models").body()).get(0).path("name").asText();
        assertThat(http.get("/v2/models/" + own + "/ready").statusCode()).isEqualTo(200);
        var unknown = http.get("/v2/models/other");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(unknown.body()).contains("also called 'my-isvc'");
    }
}
