package io.denseserve.openinference;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SpecVersion;
import io.denseserve.bundle.ModelBundle;
import io.denseserve.preprocess.ImageDecoder;
import io.denseserve.preprocess.ImagePreprocessor;
import io.denseserve.testing.Http;
import io.denseserve.testing.Images;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The Open Inference Protocol against the embedded model: every endpoint's answer validated against
 * the protocol's schemas ({@code schemas.json}), a binary-data client flow with
 * {@code classification: 5} giving {@code POST /classify}'s top 5, preprocessed FP32 tensors giving
 * the same probabilities as the images they came from, binary outputs, and bad requests answered
 * 4xx with an {@code error} while the server goes on serving.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class OpenInferenceEndToEndTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient CLIENT = HttpClient.newHttpClient();

    @LocalServerPort
    int port;

    Http http;
    String model;
    String version;

    @BeforeEach
    void ready() throws IOException {
        http = new Http(port);
        http.awaitReady();
        JsonNode served = JSON.readTree(http.get("/models").body()).get(0);
        model = served.path("name").asText();
        version = served.path("version").asText();
    }

    @Test
    void everyEndpointAnswersPerTheProtocolsSchemas() throws Exception {
        assertValid("server_metadata", http.get("/v2"), 200);
        assertThat(JSON.readTree(http.get("/v2").body()).path("extensions").toString())
                .contains("binary_tensor_data", "classification");
        assertValid("server_live", http.get("/v2/health/live"), 200);
        assertValid("server_ready", http.get("/v2/health/ready"), 200);
        for (String prefix : List.of("/v2/models/" + model, "/v2/models/" + model + "/versions/" + version)) {
            HttpResponse<String> metadata = http.get(prefix);
            assertValid("model_metadata", metadata, 200);
            assertThat(JSON.readTree(metadata.body()).path("inputs").toString()).contains("\"BYTES\"", "[-1,1,28,28]");
            assertValid("model_ready", http.get(prefix + "/ready"), 200);
            assertValid("inference_response", infer(prefix + "/infer", jsonRequest(base64Images(png(7)), null), null), 200);
        }
        assertValid("error", http.get("/v2/models/no-such-model"), 404);
        assertValid("error", http.get("/v2/models/" + model + "/versions/no-such-version/ready"), 404);
        assertValid("error", infer("/v2/models/no-such-model/infer", jsonRequest(base64Images(png(7)), null), null), 404);
    }

    @Test
    void binaryJpegsWithClassificationFiveGiveTheTopFiveOfClassify() throws Exception {
        List<byte[]> images = List.of(jpeg(1), jpeg(2), png(3));
        ObjectNode request = JSON.createObjectNode().put("id", "req-42");
        ObjectNode input = request.putArray("inputs").addObject().put("name", "image").put("datatype", "BYTES");
        input.putArray("shape").add(images.size());
        byte[] binary = bytesElements(images);
        input.putObject("parameters").put("binary_data_size", binary.length);
        request.putArray("outputs").addObject().put("name", "probabilities").putObject("parameters").put("classification", 5);
        byte[] head = JSON.writeValueAsBytes(request);
        HttpResponse<String> response = infer("/v2/models/" + model + "/infer", concat(head, binary), head.length);

        assertValid("inference_response", response, 200);
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.path("id").asText()).isEqualTo("req-42");
        assertThat(body.path("model_name").asText()).isEqualTo(model);
        JsonNode output = body.path("outputs").get(0);
        assertThat(output.path("datatype").asText()).isEqualTo("BYTES");
        assertThat(output.path("shape").toString()).isEqualTo("[3,5]");
        for (int i = 0; i < images.size(); i++) {
            JsonNode classify = JSON.readTree(http.postRaw("/classify?topK=5", "application/octet-stream", images.get(i)).body());
            for (int k = 0; k < 5; k++) {
                String[] parts = output.path("data").get(i * 5 + k).asText().split(":", 3);
                JsonNode expected = classify.path("topK").get(k);
                assertThat(Integer.parseInt(parts[1])).as("image %d, rank %d", i, k).isEqualTo(expected.path("index").asInt());
                assertThat(parts[2]).isEqualTo(expected.path("label").asText());
                assertThat(Double.parseDouble(parts[0])).isCloseTo(expected.path("probability").asDouble(),
                        org.assertj.core.data.Offset.offset(1e-6));
            }
        }
    }

    @Test
    void preprocessedTensorsGiveTheProbabilitiesOfTheirImagesAndBinaryOutputsEqualInlineOnes() throws Exception {
        List<byte[]> images = List.of(png(4), jpeg(5));
        ImagePreprocessor preprocessor = new ImagePreprocessor(
                ModelBundle.fromClasspath("/io/denseserve/default-model").manifest().preprocessing());
        ArrayNode values = JSON.createArrayNode();
        for (byte[] image : images) {
            for (float v : preprocessor.apply(new ImageDecoder(1 << 24, 1 << 24).decode(image))) {
                values.add(v);
            }
        }
        ObjectNode tensorRequest = JSON.createObjectNode();
        ObjectNode input = tensorRequest.putArray("inputs").addObject().put("name", "input").put("datatype", "FP32");
        input.putArray("shape").add(2).add(1).add(28).add(28);
        input.set("data", values);
        JsonNode fromTensors = JSON.readTree(infer("/v2/models/" + model + "/infer", JSON.writeValueAsBytes(tensorRequest), null).body());
        JsonNode fromImages = JSON.readTree(infer("/v2/models/" + model + "/infer", jsonRequest(base64Images(images), null), null).body());
        assertThat(fromTensors.path("outputs").get(0).path("shape").toString()).isEqualTo("[2,10]");
        float[] tensorProbabilities = floats(fromTensors.path("outputs").get(0).path("data"));
        float[] imageProbabilities = floats(fromImages.path("outputs").get(0).path("data"));
        for (int i = 0; i < imageProbabilities.length; i++) {
            assertThat(tensorProbabilities[i]).isCloseTo(imageProbabilities[i], org.assertj.core.data.Offset.offset(1e-6f));
        }

        HttpRequest.Builder binary = HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/v2/models/" + model + "/infer"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(jsonRequest(base64Images(images), Map.of("binary_data", true))));
        HttpResponse<byte[]> response = CLIENT.send(binary.build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(response.statusCode()).isEqualTo(200);
        int headLength = Integer.parseInt(response.headers().firstValue("Inference-Header-Content-Length").orElseThrow());
        JsonNode head = JSON.readTree(Arrays.copyOf(response.body(), headLength));
        assertThat(head.path("outputs").get(0).path("parameters").path("binary_data_size").asInt()).isEqualTo(2 * 10 * 4);
        assertThat(head.path("outputs").get(0).has("data")).isFalse();
        float[] fromBinary = new float[20];
        ByteBuffer.wrap(response.body(), headLength, 80).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(fromBinary);
        assertThat(fromBinary).containsExactly(imageProbabilities);
    }

    @Test
    void badRequestsGet4xxWithAnErrorAndTheServerGoesOn() throws Exception {
        String path = "/v2/models/" + model + "/infer";
        List<HttpResponse<String>> bad = new ArrayList<>();
        bad.add(infer(path, "not json".getBytes(StandardCharsets.UTF_8), null));
        bad.add(infer(path, "{\"inputs\": []}".getBytes(StandardCharsets.UTF_8), null));
        bad.add(infer(path, "{\"inputs\": [{\"name\": \"x\", \"datatype\": \"INT64\", \"shape\": [1], \"data\": [1]}]}"
                .getBytes(StandardCharsets.UTF_8), null));
        bad.add(infer(path, "{\"inputs\": [{\"name\": \"input\", \"datatype\": \"FP32\", \"shape\": [1, 3, 28, 28], \"data\": [0]}]}"
                .getBytes(StandardCharsets.UTF_8), null));
        bad.add(infer(path, "{\"inputs\": [{\"name\": \"image\", \"datatype\": \"BYTES\", \"shape\": [1], \"data\": [\"%%%\"]}]}"
                .getBytes(StandardCharsets.UTF_8), null));
        bad.add(infer(path, jsonRequest(base64Images(List.of("not an image".getBytes(StandardCharsets.UTF_8))), null), null));
        byte[] head = "{\"inputs\": [{\"name\": \"image\", \"datatype\": \"BYTES\", \"shape\": [1], \"parameters\": {\"binary_data_size\": 999}}]}"
                .getBytes(StandardCharsets.UTF_8);
        bad.add(infer(path, concat(head, new byte[10]), head.length));
        bad.add(infer(path, jsonRequest(base64Images(List.of(png(1))), Map.of("classification", 0)), null));
        for (HttpResponse<String> response : bad) {
            assertValid("error", response, 400);
        }
        assertThat(JSON.readTree(bad.get(5).body()).path("error").asText()).as("the image's own failure").contains("image");
        assertValid("inference_response", infer(path, jsonRequest(base64Images(List.of(png(2))), null), null), 200);
    }

    @Test
    void theSchemasRejectWhatTheyShould() throws Exception {
        JsonSchema metadata = schema("server_metadata");
        assertThat(metadata.validate(JSON.readTree("{\"name\": \"x\"}"))).isNotEmpty();
        assertThat(schema("inference_response").validate(JSON.readTree(
                "{\"model_name\": \"m\", \"outputs\": [{\"name\": \"p\", \"shape\": [1], \"datatype\": \"FP32\"}]}")))
                .as("an output with neither data nor binary_data_size").isNotEmpty();
    }

    private HttpResponse<String> infer(String path, byte[] body, Integer headerLength) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .header("Content-Type", headerLength == null ? "application/json" : "application/octet-stream")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (headerLength != null) {
            request.header("Inference-Header-Content-Length", String.valueOf(headerLength));
        }
        try {
            return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    /** One BYTES input of base64 images, and optionally the output's parameters. */
    private static byte[] jsonRequest(ArrayNode images, Map<String, Object> outputParameters) throws IOException {
        ObjectNode request = JSON.createObjectNode();
        ObjectNode input = request.putArray("inputs").addObject().put("name", "image").put("datatype", "BYTES");
        input.putArray("shape").add(images.size());
        input.set("data", images);
        if (outputParameters != null) {
            request.putArray("outputs").addObject().put("name", "probabilities").set("parameters", JSON.valueToTree(outputParameters));
        }
        return JSON.writeValueAsBytes(request);
    }

    private static ArrayNode base64Images(List<byte[]> images) {
        ArrayNode data = JSON.createArrayNode();
        images.forEach(i -> data.add(Base64.getEncoder().encodeToString(i)));
        return data;
    }

    private static ArrayNode base64Images(byte[] image) {
        return base64Images(List.of(image));
    }

    private static byte[] bytesElements(List<byte[]> elements) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] e : elements) {
            out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(e.length).array());
            out.writeBytes(e);
        }
        return out.toByteArray();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static float[] floats(JsonNode data) {
        float[] out = new float[data.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = data.get(i).floatValue();
        }
        return out;
    }

    /** A seeded scene: a bright blob on a gradient, different per seed. */
    private static BufferedImage scene(int seed, int w, int h) {
        BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        java.util.Random random = new java.util.Random(seed);
        int cx = random.nextInt(w);
        int cy = random.nextInt(h);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int d = (int) Math.hypot(x - cx, y - cy);
                int v = Math.max(0, 255 - d * 4) ^ (random.nextInt(16));
                image.setRGB(x, y, (v << 16) | ((x * 255 / w) << 8) | (y * 255 / h));
            }
        }
        return image;
    }

    private static byte[] png(int seed) {
        return Images.encode(scene(seed, 40 + seed, 36), "png");
    }

    private static byte[] jpeg(int seed) {
        return Images.encode(scene(seed, 64, 48 + seed), "jpeg");
    }

    private static void assertValid(String definition, HttpResponse<String> response, int status) throws IOException {
        assertThat(response.statusCode()).as("%s: %s", definition, response.body()).isEqualTo(status);
        assertThat(schema(definition).validate(JSON.readTree(response.body())))
                .as("%s against the schema: %s", definition, response.body()).isEmpty();
    }

    private static JsonSchema schema(String definition) {
        return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012)
                .getSchema(SchemaLocation.of("classpath:io/denseserve/openinference/schemas.json#/$defs/" + definition));
    }
}
