package io.denseserve.classify;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.denseserve.testing.Http;
import io.denseserve.testing.TinyModelServerTest;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The committed OpenAPI document ({@code src/main/openapi/denseserve-openapi.json}, from which the
 * build generates the Java client used by {@link GeneratedClientEndToEndTest}) must equal what the
 * running service publishes at {@code /v3/api-docs}. After an API change, regenerate it with
 * {@code ./mvnw test -Dtest=OpenApiContractTest -Dopenapi.update=true} (that run writes the file and
 * skips; the next run checks it).
 */
class OpenApiContractTest extends TinyModelServerTest {

    static final Path SPEC = Path.of("src/main/openapi/denseserve-openapi.json");
    // Key order is springdoc's, which is deterministic; it matters to the generator, which builds a
    // client method from the first request content type (for POST /classify: the multipart form).
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    @Test
    void committedSpecIsTheLiveSpec() throws Exception {
        JsonNode live = JSON.readTree(new Http(port).get("/v3/api-docs").body());
        ((ObjectNode) live).remove("servers"); // holds the random test port
        String liveText = JSON.writeValueAsString(live) + "\n";
        if (Boolean.getBoolean("openapi.update")) {
            Files.writeString(SPEC, liveText);
            // A regenerated file equals the live spec by construction: that run checks nothing.
            Assumptions.abort(SPEC + " regenerated; run again without -Dopenapi.update=true to check it");
        }
        assertThat(Files.readString(SPEC))
                .as("%s is stale: regenerate with ./mvnw test -Dtest=OpenApiContractTest -Dopenapi.update=true", SPEC)
                .isEqualTo(liveText);
        assertThat(live.path("paths").fieldNames()).toIterable()
                .contains("/classify", "/classify/batch", "/models", "/models/{name}");
    }

    /** What the document promises, checked on the live document, not against a copy of it. */
    @Test
    void theDocumentDescribesTheServiceAndItsErrors() throws Exception {
        JsonNode live = JSON.readTree(new Http(port).get("/v3/api-docs").body());
        assertThat(live.path("info").path("title").asText()).isEqualTo("DenseServe");
        assertThat(live.path("info").path("version").asText()).as("the build's version").matches("\\d+\\.\\d+\\.\\d+.*");
        assertThat(live.path("info").path("license").path("name").asText()).isEqualTo("Apache-2.0");
        assertThat(live.path("paths").fieldNames()).toIterable().contains("/v2", "/v2/models/{name}/infer");
        for (String path : new String[] {"/classify", "/classify/batch"}) {
            JsonNode responses = live.path("paths").path(path).path("post").path("responses");
            assertThat(responses.fieldNames()).toIterable().as(path)
                    .contains("200", "400", "408", "413", "415", "503", "504");
            responses.fields().forEachRemaining(r -> {
                if (!r.getKey().startsWith("2")) {
                    assertThat(r.getValue().path("content").has("application/problem+json"))
                            .as("%s %s answers problem JSON", path, r.getKey()).isTrue();
                }
            });
        }
    }
}
