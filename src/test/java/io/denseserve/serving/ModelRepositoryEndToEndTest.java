package io.denseserve.serving;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.denseserve.testing.Http;
import io.denseserve.testing.Images;
import io.denseserve.testing.TestRepository;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Several models and versions from one repository ({@code <name>/<version>/}), every version
 * served: requests name the model and version they want, the answer names what computed it, and
 * a model answers as it does served alone;
 * the repository extension lists, loads and unloads behind its bearer token; names that leave the
 * repository are refused; and a corrupt new version is refused while the served ones keep answering.
 * The weights are seeded random (tests of routing, not of predictions), each folder's its own
 * ({@link TestRepository}).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
    "denseserve.model.versions=all", "denseserve.model.default-model=tiny", "denseserve.management.token=s3cret"})
class ModelRepositoryEndToEndTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String TOKEN = "Bearer s3cret";
    static final Path REPOSITORY = TestRepository.of("tiny/1", "tiny/2", "other/1");

    @DynamicPropertySource
    static void repository(DynamicPropertyRegistry registry) {
        registry.add("denseserve.model.repository", REPOSITORY::toString);
    }

    @LocalServerPort
    int port;

    @org.springframework.beans.factory.annotation.Autowired
    io.micrometer.core.instrument.MeterRegistry registry;

    Http http;
    byte[] image = Images.png(16, 16);

    @BeforeEach
    void ready() {
        http = new Http(port);
        http.awaitReady();
    }

    @Test
    void requestsNameTheModelAndVersionThatAnswers() throws Exception {
        JsonNode listed = JSON.readTree(http.get("/models").body());
        List<String> served = new ArrayList<>();
        listed.forEach(m -> served.add(m.path("name").asText() + ":" + m.path("version").asText()));
        assertThat(served).containsExactly("other:1", "tiny:1", "tiny:2");

        JsonNode tiny1 = classify("?model=tiny&version=1");
        JsonNode tiny2 = classify("?model=tiny&version=2");
        JsonNode other = classify("?model=other");
        assertThat(tiny1.path("model").path("version").asText()).isEqualTo("1");
        assertThat(tiny2.path("model").path("version").asText()).isEqualTo("2");
        assertThat(other.path("model").path("name").asText()).isEqualTo("other");
        assertThat(TestRepository.probabilities(tiny1)).as("each version computes with its own weights").isNotEqualTo(TestRepository.probabilities(tiny2));
        assertThat(TestRepository.probabilities(other)).isNotEqualTo(TestRepository.probabilities(tiny2));
        assertThat(TestRepository.probabilities(classify(""))).as("no model: the default model's latest version")
                .isEqualTo(TestRepository.probabilities(tiny2));
        assertThat(TestRepository.probabilities(classify("?model=tiny&version=1"))).as("the same answer again").isEqualTo(TestRepository.probabilities(tiny1));

        assertThat(http.postRaw("/classify?model=nope", "image/png", image).statusCode()).isEqualTo(404);
        assertThat(http.postRaw("/classify?model=tiny&version=9", "image/png", image).statusCode()).isEqualTo(404);
        assertThat(http.get("/v2/models/tiny/versions/1").statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(http.get("/v2/models/tiny").body()).path("versions").toString()).isEqualTo("[\"1\",\"2\"]");
        assertThat(http.get("/v2/models/tiny/versions/9").statusCode()).isEqualTo(404);
        assertThat(JSON.readTree(http.get("/v2").body()).path("extensions").toString()).contains("\"model_repository\"");
    }

    /** A second service in this JVM serves one of the repository's folders as its only model. */
    @Test
    void aModelAnswersAsItDoesServedAlone() throws Exception {
        try (org.springframework.context.ConfigurableApplicationContext alone =
                new org.springframework.boot.builder.SpringApplicationBuilder(io.denseserve.DenseServeApplication.class)
                        .properties("server.port=0", "denseserve.grpc.port=0",
                                "denseserve.model.bundle=" + REPOSITORY.resolve("other/1"))
                        .run()) {
            Http itself = new Http(((org.springframework.boot.web.context.WebServerApplicationContext) alone).getWebServer()
                    .getPort());
            itself.awaitReady();
            double[] expected = TestRepository.probabilities(JSON.readTree(
                    itself.postRaw("/classify?topK=3", "image/png", image).body()));
            double[] got = TestRepository.probabilities(classify("?model=other"));
            for (int c = 0; c < 3; c++) {
                assertThat(got[c]).as("class %d", c).isCloseTo(expected[c], org.assertj.core.data.Offset.offset(1e-6));
            }
        }
    }

    @Test
    void theRepositoryExtensionNeedsTheToken() throws Exception {
        assertThat(http.postEmpty("/v2/repository/index").statusCode()).isEqualTo(401);
        assertThat(http.postEmpty("/v2/repository/index", "Authorization", "Bearer guess").statusCode()).isEqualTo(403);
        assertThat(http.postEmpty("/v2/repository/models/other/unload", "Authorization", "Basic czNjcmV0").statusCode())
                .isEqualTo(401);
        assertThat(http.postEmpty("/v2/repository/models/other/unload", "Authorization", "Bearer s3cre").statusCode())
                .isEqualTo(403);
        assertThat(classify("?model=other").path("model").path("name").asText()).as("still served").isEqualTo("other");

        HttpResponse<String> index = http.postEmpty("/v2/repository/index", "Authorization", TOKEN);
        assertThat(index.statusCode()).isEqualTo(200);
        List<String> rows = new ArrayList<>();
        JSON.readTree(index.body()).forEach(r -> rows.add(r.path("name").asText() + ":" + r.path("version").asText() + ":"
                + r.path("state").asText()));
        assertThat(rows).contains("other:1:READY", "tiny:1:READY", "tiny:2:READY");
    }

    @Test
    void namesOutsideTheRepositoryAreRefused() throws Exception {
        for (String name : List.of("..", "%2E%2E", "..%2F..%2Fetc", "%2Fetc", "a%20b", ".hidden")) {
            // a connection of its own each: Jetty closes one after refusing an ambiguous path
            HttpResponse<String> response = java.net.http.HttpClient.newHttpClient().send(
                    java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://localhost:" + port
                            + "/v2/repository/models/" + name + "/load")).header("Authorization", TOKEN)
                            .POST(java.net.http.HttpRequest.BodyPublishers.noBody()).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as(name).isIn(400, 404);
        }
        assertThat(http.postEmpty("/v2/repository/models/absent/load", "Authorization", TOKEN).statusCode()).isEqualTo(404);
        assertThat(classify("?model=tiny").path("model").path("version").asText()).isEqualTo("2");
    }

    @Test
    void aCorruptVersionIsRefusedAndTheServedOnesKeepAnswering() throws Exception {
        Path corrupt = TestRepository.version(REPOSITORY, "other/2");
        Path weights = corrupt.resolve("weights.safetensors");
        Files.write(weights, java.util.Arrays.copyOf(Files.readAllBytes(weights), 100));
        try {
            HttpResponse<String> load = http.postEmpty("/v2/repository/models/other/load", "Authorization", TOKEN);
            assertThat(load.statusCode()).isEqualTo(400);
            assertThat(JSON.readTree(load.body()).path("error").asText()).contains("could not be loaded");
            assertThat(classify("?model=other").path("model").path("version").asText()).isEqualTo("1");
            JsonNode index = JSON.readTree(http.postEmpty("/v2/repository/index", "Authorization", TOKEN).body());
            JsonNode row = null;
            for (JsonNode r : index) {
                if (r.path("name").asText().equals("other") && r.path("version").asText().equals("2")) {
                    row = r;
                }
            }
            assertThat(row).isNotNull();
            assertThat(row.path("state").asText()).isEqualTo("UNAVAILABLE");
            assertThat(row.path("reason").asText()).isNotEmpty();
        } finally {
            org.springframework.util.FileSystemUtils.deleteRecursively(corrupt);
        }
    }

    @Test
    void aModelUnloadedIsGoneAndLoadedAgainAnswers() throws Exception {
        JsonNode before = classify("?model=other");
        assertThat(http.postEmpty("/v2/repository/models/other/unload", "Authorization", TOKEN).statusCode()).isEqualTo(200);
        assertThat(http.postRaw("/classify?model=other", "image/png", image).statusCode()).isEqualTo(404);
        assertThat(registry.find("denseserve.requests").tag("model", "other").meters()).as("its series end with it").isEmpty();
        assertThat(registry.find("denseserve.requests").tag("model", "tiny").tag("version", "2").meters()).isNotEmpty();
        HttpResponse<String> load = http.postEmpty("/v2/repository/models/other/load", "Authorization", TOKEN);
        assertThat(load.statusCode()).as(load.body()).isEqualTo(200);
        assertThat(TestRepository.probabilities(classify("?model=other"))).isEqualTo(TestRepository.probabilities(before));
    }

    private JsonNode classify(String query) throws IOException {
        HttpResponse<String> response = http.postRaw("/classify" + query + (query.isEmpty() ? "?" : "&") + "topK=3",
                "image/png", image);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }
}
