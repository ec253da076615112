package io.denseserve.classify;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.denseserve.testing.Http;
import io.denseserve.testing.Images;
import io.denseserve.testing.Prerequisites;
import io.denseserve.training.FashionMnist;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * Class activation maps through HTTP on the embedded Fashion-MNIST model: the JSON explanation, the
 * PNG of {@code POST /explain}, bad class indices, and a map whose peak follows a garment moved
 * around a larger canvas.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class ExplainEndToEndTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int CANVAS = 56;
    /** Top-left corners of the garment on the canvas: the four quadrants and the centre. */
    private static final int[][] POSITIONS = {{0, 0}, {28, 0}, {0, 28}, {28, 28}, {14, 14}};

    @LocalServerPort
    int port;
    Http http;

    @BeforeEach
    void ready() {
        http = new Http(port);
        http.awaitReady();
    }

    @Test
    void explainAddsTheTopClassMapItsWindowAndAnOverlayOfTheImagesSize() throws Exception {
        byte[] png = canvas(garment(0), 0, 0);
        JsonNode plain = JSON.readTree(http.postRaw("/classify", "image/png", png).body());
        assertThat(plain.has("explanation")).as("no explanation unless asked for").isFalse();

        HttpResponse<String> response = http.postRaw("/classify?explain=true", "image/png", png);
        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode body = JSON.readTree(response.body());
        JsonNode explanation = body.path("explanation");
        assertThat(explanation.path("explained").path("index").asInt()).isEqualTo(body.path("top1").path("index").asInt());
        assertThat(explanation.path("map").size()).isEqualTo(7);
        assertThat(explanation.path("map").get(0).size()).isEqualTo(7);
        assertThat(explanation.path("window").toString()).isEqualTo("{\"x\":0.0,\"y\":0.0,\"width\":56.0,\"height\":56.0}");
        BufferedImage overlay = ImageIO.read(new ByteArrayInputStream(
                Base64.getDecoder().decode(explanation.path("overlayPng").asText())));
        assertThat(overlay.getWidth()).isEqualTo(CANVAS);
        assertThat(overlay.getHeight()).isEqualTo(CANVAS);
        assertThat(explanation.path("overlayWidth").asInt()).isEqualTo(CANVAS);
    }

    @Test
    void explainClassChoosesTheClassAndAnIndexBeyondTheModelIsA400() throws Exception {
        byte[] png = canvas(garment(0), 0, 0);
        JsonNode chosen = JSON.readTree(http.postRaw("/classify?explainClass=3", "image/png", png).body());
        assertThat(chosen.path("explanation").path("explained").path("index").asInt()).isEqualTo(3);
        assertThat(chosen.path("explanation").path("explained").path("label").asText()).isEqualTo("Dress");

        for (String bad : List.of("10", "-1", "x")) {
            HttpResponse<String> refused = http.postRaw("/classify?explain=true&explainClass=" + bad, "image/png", png);
            assertThat(refused.statusCode()).as("explainClass=%s", bad).isEqualTo(400);
            assertThat(refused.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
        }
    }

    @Test
    void explainAnswersWithThePngAndNamesTheClassInHeaders() throws Exception {
        byte[] png = canvas(garment(1), 28, 28);
        HttpResponse<byte[]> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://localhost:" + port + "/explain?explainClass=2"))
                .header("Content-Type", "image/png").POST(HttpRequest.BodyPublishers.ofByteArray(png)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("image/png");
        assertThat(response.headers().firstValue("DenseServe-Explained-Class")).hasValue("2");
        BufferedImage overlay = ImageIO.read(new ByteArrayInputStream(response.body()));
        assertThat(overlay.getWidth()).isEqualTo(CANVAS);

        HttpResponse<String> multipart = http.postMultipart("/explain", "image", png);
        assertThat(multipart.statusCode()).isEqualTo(200);
        assertThat(multipart.headers().firstValue("Content-Type")).hasValue("image/png");
        assertThat(multipart.headers().firstValue("DenseServe-Explained-Class")).isPresent();

        HttpResponse<String> notAnImage = http.postRaw("/explain", "image/png", "not a png".getBytes());
        assertThat(notAnImage.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(notAnImage.body()).path("title").asText()).isNotEmpty();
    }

    /**
     * The first 40 test garments, each pasted at five places on a black canvas twice the model's
     * input (so the model sees it at half size, off centre, as it never did in training). Wherever
     * the model still recognises the garment, the map of its class peaks on it: the highest cell
     * overlaps the garment's square in at least 95% of those placements (measured: 69 of 71).
     */
    @Test
    void theMapsPeakFollowsTheGarmentAroundTheCanvas() throws Exception {
        Prerequisites.require(Files.exists(FashionMnist.dataDir().resolve("t10k-images-idx3-ubyte.gz")),
                "moving-garment test: dataset-fashion-mnist not installed");
        FashionMnist test = FashionMnist.test(FashionMnist.dataDir()).head(40);
        List<String> misses = new ArrayList<>();
        int recognised = 0;
        for (int i = 0; i < test.size(); i++) {
            byte[] item = java.util.Arrays.copyOfRange(test.images(), i * 784, (i + 1) * 784);
            for (int[] at : POSITIONS) {
                JsonNode answer = JSON.readTree(http.postRaw("/classify?explain=true", "image/png",
                        canvas(item, at[0], at[1])).body());
                if (answer.path("top1").path("index").asInt() != test.labels()[i]) {
                    continue;
                }
                recognised++;
                int[] cell = peakCell(answer.path("explanation").path("map"));
                int cellSide = CANVAS / 7;
                boolean onGarment = cell[0] * cellSide < at[0] + 28 && (cell[0] + 1) * cellSide > at[0]
                        && cell[1] * cellSide < at[1] + 28 && (cell[1] + 1) * cellSide > at[1];
                if (!onGarment) {
                    misses.add("garment " + i + " at " + at[0] + "," + at[1] + ": peak in cell " + cell[0] + "," + cell[1]);
                }
            }
        }
        assertThat(recognised).as("placements the model recognised, of %d", 40 * POSITIONS.length).isGreaterThanOrEqualTo(50);
        assertThat(misses.size()).as("peaks off the garment among %d recognised placements: %s", recognised, misses)
                .isLessThanOrEqualTo(recognised / 20);
    }

    /** Column and row of the map's highest cell. */
    private static int[] peakCell(JsonNode map) {
        int[] at = new int[2];
        double best = Double.NEGATIVE_INFINITY;
        for (int y = 0; y < map.size(); y++) {
            for (int x = 0; x < map.get(y).size(); x++) {
                if (map.get(y).get(x).asDouble() > best) {
                    best = map.get(y).get(x).asDouble();
                    at = new int[] {x, y};
                }
            }
        }
        return at;
    }

    private static byte[] garment(int index) throws Exception {
        if (Files.exists(FashionMnist.dataDir().resolve("t10k-images-idx3-ubyte.gz"))) {
            FashionMnist test = FashionMnist.test(FashionMnist.dataDir()).head(index + 1);
            return java.util.Arrays.copyOfRange(test.images(), index * 784, (index + 1) * 784);
        }
        byte[] square = new byte[784];
        for (int y = 6; y < 22; y++) {
            for (int x = 8; x < 20; x++) {
                square[y * 28 + x] = (byte) 200;
            }
        }
        return square;
    }

    /** A black canvas with a 28x28 grayscale garment pasted at (x, y), as PNG. */
    private static byte[] canvas(byte[] item, int x, int y) {
        BufferedImage image = new BufferedImage(CANVAS, CANVAS, BufferedImage.TYPE_BYTE_GRAY);
        image.getRaster().setDataElements(x, y, 28, 28, item);
        return Images.encode(image, "png");
    }
}
