package io.denseserve.classify;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.denseserve.testing.Http;
import io.denseserve.testing.Images;
import io.denseserve.testing.TestBundles;
import java.awt.image.BufferedImage;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Every endpoint and every error, through real HTTP against the running service, serving a small
 * DenseNet-BC with seeded random weights (so the tests check the plumbing, not what it predicts).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@AutoConfigureObservability
class ClassifyEndToEndTest {

    static final ObjectMapper JSON = new ObjectMapper();

    @DynamicPropertySource
    static void model(DynamicPropertyRegistry registry) {
        Path bundle = TestBundles.rgb(16, 8, 32);
        registry.add("denseserve.model.bundle", bundle::toString);
        registry.add("denseserve.limits.max-image-size", () -> "2MB");
        registry.add("denseserve.limits.max-pixels", () -> "4000000");
        registry.add("spring.servlet.multipart.max-file-size", () -> "2MB");
    }

    @LocalServerPort
    int port;

    Http http;

    @BeforeEach
    void ready() {
        http = new Http(port);
        http.awaitReady();
    }

    static JsonNode json(HttpResponse<String> response) throws Exception {
        return JSON.readTree(response.body());
    }

    @Test
    void classifiesMultipartUploadWithVersionedResponse() throws Exception {
        HttpResponse<String> response = http.postMultipart("/classify", "image", Images.png(64, 48));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode body = json(response);
        assertThat(body.path("schemaVersion").asText()).isEqualTo("1");
        assertThat(body.path("model").path("name").asText()).isEqualTo("test-bc16");
        assertThat(body.path("topK")).hasSize(3); // default 5, clamped to the 3 classes
        assertThat(body.path("top1")).isEqualTo(body.path("topK").get(0));
        double sum = 0;
        double previous = 1;
        for (JsonNode p : body.path("topK")) {
            assertThat(p.path("probability").asDouble()).isLessThanOrEqualTo(previous);
            previous = p.path("probability").asDouble();
            sum += previous;
        }
        assertThat(sum).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-4));
        JsonNode t = body.path("timings");
        assertThat(t.path("totalMs").asDouble()).isPositive()
                .isGreaterThanOrEqualTo(t.path("inferenceMs").asDouble());
        assertThat(t.path("batchSize").asInt()).isBetween(1, 8);
    }

    @Test
    void rawBodyGivesTheSameAnswerAsMultipart() throws Exception {
        byte[] png = Images.png(40, 40);
        JsonNode raw = json(http.postRaw("/classify?topK=2", "image/png", png));
        JsonNode multipart = json(http.postMultipart("/classify?topK=2", "image", png));
        assertThat(raw.path("topK")).hasSize(2);
        assertThat(raw.path("topK").toString()).isEqualTo(multipart.path("topK").toString());
    }

    @Test
    void acceptsJpegGifBmpAndGrayscaleAndPhotos() throws Exception {
        List<byte[]> images = List.of(
                Images.encoded("jpeg", 50, 30, BufferedImage.TYPE_INT_RGB),
                Images.encoded("gif", 50, 30, BufferedImage.TYPE_INT_RGB),
                Images.encoded("bmp", 50, 30, BufferedImage.TYPE_INT_RGB),
                Images.encoded("png", 50, 30, BufferedImage.TYPE_BYTE_GRAY),
                Images.encoded("png", 50, 30, BufferedImage.TYPE_INT_ARGB),
                Images.encoded("png", 50, 30, BufferedImage.TYPE_USHORT_GRAY));
        for (byte[] image : images) {
            HttpResponse<String> r = http.postRaw("/classify", "application/octet-stream", image);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        }
        Path photo = TestBundles.photo("chelsea.png");
        if (photo != null) {
            assertThat(http.postRaw("/classify", "image/png", Files.readAllBytes(photo)).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void batchEndpointAnswersEachImageOrItsError() throws Exception {
        HttpResponse<String> response = http.postMultipart("/classify/batch?topK=1", "images",
                Images.png(32, 32), "not an image".getBytes(), Images.png(20, 60));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode results = json(response).path("results");
        assertThat(results).hasSize(3);
        assertThat(results.get(0).path("result").path("topK")).hasSize(1);
        assertThat(results.get(1).path("error").path("status").asInt()).isEqualTo(400);
        assertThat(results.get(1).path("error").path("type").asText()).endsWith("/not-an-image");
        assertThat(results.get(2).path("index").asInt()).isEqualTo(2);
        assertThat(results.get(2).has("result")).isTrue();
    }

    @Test
    void describesLoadedModels() throws Exception {
        JsonNode list = json(http.get("/models"));
        assertThat(list).hasSize(1);
        JsonNode model = json(http.get("/models/test-bc16"));
        assertThat(model.path("parameterCount").asLong()).isPositive();
        assertThat(model.path("numLabels").asInt()).isEqualTo(3);
        assertThat(model.path("inputShape").toString()).isEqualTo("[3,32,32]");
        assertThat(model.path("preprocessing").path("colorMode").asText()).isEqualTo("RGB");
        assertThat(model.path("provenance").path("dataset").asText()).contains("random");
        assertProblem(http.get("/models/nope"), 404, "model-not-found");
    }

    @Test
    void everyBadInputIsAProblemJson() throws Exception {
        byte[] png = Images.png(64, 64);
        assertProblem(http.postRaw("/classify", "image/png", new byte[0]), 400, "empty-image");
        assertProblem(http.postRaw("/classify", "image/png", "hello, world".getBytes()), 400, "not-an-image");
        assertProblem(http.postRaw("/classify", "image/png", Arrays.copyOf(png, png.length / 2)), 400, "corrupt-image");
        byte[] jpeg = Images.encoded("jpeg", 64, 64, BufferedImage.TYPE_INT_RGB);
        assertProblem(http.postRaw("/classify", "image/jpeg", Arrays.copyOf(jpeg, jpeg.length * 2 / 3)), 400, "corrupt-image");
        assertProblem(http.postRaw("/classify", "text/plain", png), 415, null);
        assertProblem(http.postRaw("/classify", "image/png", new byte[3 * 1024 * 1024]), 413, "image-too-large");
        assertProblem(http.postMultipart("/classify", "image", new byte[3 * 1024 * 1024]), 413, "image-too-large");
        assertProblem(http.postRaw("/classify", "image/png", Images.pngHeaderDeclaring(100_000, 100_000)), 413, "too-many-pixels");
        assertProblem(http.postRaw("/classify?topK=0", "image/png", png), 400, null);
        assertProblem(http.postRaw("/classify?topK=abc", "image/png", png), 400, null);
        assertProblem(http.postMultipart("/classify", "wrong-part", png), 400, null);
    }

    @Test
    void badInputsDoNotDisturbRequestsInFlight() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<CompletableFuture<Integer>> good = new java.util.ArrayList<>();
            List<CompletableFuture<Integer>> bad = new java.util.ArrayList<>();
            for (int i = 0; i < 40; i++) {
                good.add(CompletableFuture.supplyAsync(() -> http.postRaw("/classify", "image/png", Images.png(48, 48)).statusCode(), pool));
                bad.add(CompletableFuture.supplyAsync(() -> http.postRaw("/classify", "image/png", "junk".getBytes()).statusCode(), pool));
            }
            assertThat(good.stream().map(CompletableFuture::join)).containsOnly(200);
            assertThat(bad.stream().map(CompletableFuture::join)).containsOnly(400);
        } finally {
            pool.shutdown();
        }
        assertThat(http.get("/actuator/health").statusCode()).isEqualTo(200);
    }

    @Test
    void exposesPrometheusHistogramsAndOnlySafeActuatorEndpoints() throws Exception {
        http.postRaw("/classify", "image/png", Images.png(32, 32));
        http.postRaw("/classify", "image/png", new byte[0]);
        String metrics = http.get("/actuator/prometheus").body();
        assertThat(metrics)
                .contains("denseserve_request_seconds_bucket{")
                .contains("denseserve_preprocess_seconds_bucket{")
                .contains("denseserve_queue_wait_seconds_bucket{")
                .contains("denseserve_inference_seconds_bucket{")
                .contains("denseserve_batch_size_bucket{")
                .contains("denseserve_queue_depth{")
                .containsPattern("denseserve_requests_total\\{[^}]*model=\"test-bc16\"[^}]*outcome=\"ok\"")
                .containsPattern("denseserve_requests_total\\{[^}]*outcome=\"bad_input\"");
        assertThat(http.get("/actuator/health/liveness").statusCode()).isEqualTo(200);
        assertThat(http.get("/actuator/health/readiness").body()).contains("\"model\"");
        assertThat(http.get("/actuator/env").statusCode()).isEqualTo(404);
        assertThat(http.get("/actuator/heapdump").statusCode()).isEqualTo(404);
    }

    static void assertProblem(HttpResponse<String> response, int status, String typeSuffix) throws Exception {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                ct -> assertThat(ct).startsWith("application/problem+json"));
        JsonNode problem = json(response);
        assertThat(problem.path("status").asInt()).isEqualTo(status);
        assertThat(problem.path("title").asText()).isNotBlank();
        assertThat(response.body()).doesNotContain("Exception").doesNotContain("/work/").doesNotContain("\tat ");
        if (typeSuffix != null) {
            assertThat(problem.path("type").asText()).endsWith("/" + typeSuffix);
        }
    }
}
