package io.denseserve.classify;

import static io.denseserve.classify.ClassifyEndToEndTest.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import io.denseserve.testing.Http;
import io.denseserve.testing.Images;
import io.denseserve.testing.Prerequisites;
import io.denseserve.testing.TestBundles;
import io.denseserve.testing.TinyModelServerTest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Hostile uploads through real HTTP, each answered with the documented 4xx problem while ordinary
 * requests beside them all succeed, and the service is healthy afterwards. Also: only the health,
 * info and prometheus actuator endpoints exist, and a URL in the body is never fetched.
 */
class HostileInputEndToEndTest extends TinyModelServerTest {

    record Hostile(String name, Supplier<HttpResponse<String>> send, int status, String type) {}

    @Test
    void hostileUploadsGetProblemsAndDoNotDisturbOthers() throws Exception {
        Http http = readyService();
        byte[] randomBytes = new byte[4096];
        new Random(1).nextBytes(randomBytes);
        List<Hostile> hostile = new ArrayList<>(List.of(
                new Hostile("zero bytes", () -> http.postRaw("/classify", "image/jpeg", new byte[0]), 400, "empty-image"),
                new Hostile("random bytes", () -> http.postRaw("/classify", "image/jpeg", randomBytes), 400, "not-an-image"),
                new Hostile("truncated PNG", () -> http.postRaw("/classify", "image/png",
                        java.util.Arrays.copyOf(Images.png(120, 90), 300)), 400, "corrupt-image"),
                new Hostile("PNG declaring 100000x100000", () -> http.postRaw("/classify", "image/png",
                        Images.pngHeaderDeclaring(100_000, 100_000)), 413, "too-many-pixels"),
                new Hostile("50 MB upload", () -> http.postRaw("/classify", "image/png", new byte[50 * 1024 * 1024]),
                        413, "image-too-large"),
                // Over a size limit in every form: never a 503 telling the client to retry.
                new Hostile("50 MB upload, chunked", () -> http.postRawChunked("/classify", "image/png",
                        new byte[50 * 1024 * 1024]), 413, "image-too-large"),
                new Hostile("60 MB multipart", () -> http.postMultipart("/classify", false, "image",
                        new byte[60 * 1024 * 1024]), 413, "image-too-large"),
                new Hostile("60 MB multipart, chunked", () -> http.postMultipart("/classify", true, "image",
                        new byte[60 * 1024 * 1024]), 413, "image-too-large"),
                new Hostile("70 MB multipart batch, chunked", () -> http.postMultipart("/classify/batch", true, "images",
                        new byte[35 * 1024 * 1024], new byte[35 * 1024 * 1024]), 413, "image-too-large"),
                new Hostile("wrong content type", () -> http.postRaw("/classify", "text/html", Images.png(8, 8)), 415, null),
                new Hostile("URL instead of an image", () -> http.postRaw("/classify", "application/octet-stream",
                        "http://127.0.0.1:1/secret".getBytes(StandardCharsets.US_ASCII)), 400, "not-an-image"),
                new Hostile("multipart with 500 parts", () -> http.postMultipart("/classify/batch", "images",
                        manyTinyParts(500)), 413, null),
                new Hostile("part holding multipart nested 1000 deep", () -> http.postMultipart("/classify", "image",
                        nestedMultipart(1000)), 400, "not-an-image")));
        Path truncated = TestBundles.photo("truncated.jpg");
        if (truncated != null) {
            byte[] bytes = Files.readAllBytes(truncated);
            hostile.add(new Hostile("skimage truncated.jpg", () -> http.postRaw("/classify", "image/jpeg", bytes), 400, "corrupt-image"));
        }
        ExecutorService pool = Executors.newFixedThreadPool(6);
        try {
            List<CompletableFuture<HttpResponse<String>>> good = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                good.add(CompletableFuture.supplyAsync(() -> http.postRaw("/classify", "image/png", Images.png(40, 40)), pool));
            }
            for (Hostile h : hostile) {
                HttpResponse<String> r = h.send().get();
                if (h.status() == 413 && h.type() == null) {
                    assertThat(r.statusCode()).as(h.name() + ": " + r.body()).isIn(400, 413);
                } else {
                    assertProblem(r, h.status(), h.type());
                }
            }
            for (CompletableFuture<HttpResponse<String>> f : good) {
                assertThat(f.get().statusCode()).isEqualTo(200);
            }
        } finally {
            pool.shutdown();
        }
        assertThat(http.get("/actuator/health/readiness").statusCode()).isEqualTo(200);
    }

    /**
     * Unusual but valid encodings are classified, not rejected: a CMYK JPEG (made by Pillow, with
     * its Adobe marker) and a 16-bit grayscale PNG, which must give exactly what the same picture
     * in 8 bits gives (16-bit samples are scaled to 8 bits, {@code v * 257 -> v}).
     */
    @Test
    void cmykAnd16BitImagesAreClassified() throws Exception {
        Http http = readyService();
        byte[] cmyk;
        try (var in = getClass().getResourceAsStream("/io/denseserve/images/cmyk.jpg")) {
            cmyk = in.readAllBytes();
        }
        HttpResponse<String> r = http.postRaw("/classify", "image/jpeg", cmyk);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);

        java.awt.image.BufferedImage gray8 = new java.awt.image.BufferedImage(40, 30, java.awt.image.BufferedImage.TYPE_BYTE_GRAY);
        java.awt.image.BufferedImage gray16 = new java.awt.image.BufferedImage(40, 30, java.awt.image.BufferedImage.TYPE_USHORT_GRAY);
        for (int y = 0; y < 30; y++) {
            for (int x = 0; x < 40; x++) {
                int v = (x * 7 + y * 3) % 256;
                gray8.getRaster().setSample(x, y, 0, v);
                gray16.getRaster().setSample(x, y, 0, v * 257);
            }
        }
        HttpResponse<String> eight = http.postRaw("/classify?topK=10", "image/png", Images.encode(gray8, "png"));
        HttpResponse<String> sixteen = http.postRaw("/classify?topK=10", "image/png", Images.encode(gray16, "png"));
        assertThat(sixteen.statusCode()).as(sixteen.body()).isEqualTo(200);
        var json = new com.fasterxml.jackson.databind.ObjectMapper();
        assertThat(json.readTree(sixteen.body()).get("topK")).isEqualTo(json.readTree(eight.body()).get("topK"));
    }

    @Test
    void animatedGifUsesItsFirstFrame() throws Exception {
        Path gif = TestBundles.photo("no_time_for_that_tiny.gif");
        Prerequisites.require(gif != null, "animated GIF test: python3-skimage's no_time_for_that_tiny.gif not installed");
        HttpResponse<String> r = readyService().postRaw("/classify", "image/gif", Files.readAllBytes(gif));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }

    @Test
    void onlySafeActuatorEndpointsAreExposed() {
        Http http = readyService();
        String links = http.get("/actuator").body();
        assertThat(links).contains("/actuator/health", "/actuator/info"); // prometheus: see ClassifyEndToEndTest
        for (String endpoint : List.of("env", "beans", "configprops", "heapdump", "threaddump", "loggers", "mappings", "shutdown")) {
            assertThat(http.get("/actuator/" + endpoint).statusCode()).as(endpoint).isEqualTo(404);
            assertThat(links).doesNotContain("/actuator/" + endpoint);
        }
    }

    /** A multipart/mixed document whose one part is a multipart/mixed document, {@code depth} levels down. */
    private static byte[] nestedMultipart(int depth) {
        StringBuilder open = new StringBuilder();
        StringBuilder close = new StringBuilder();
        for (int d = 0; d < depth; d++) {
            open.append("--n").append(d).append("\r\nContent-Type: multipart/mixed; boundary=n").append(d + 1).append("\r\n\r\n");
            close.insert(0, "\r\n--n" + d + "--");
        }
        return (open + "deepest" + close).getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[][] manyTinyParts(int n) {
        byte[][] parts = new byte[n][];
        for (int i = 0; i < n; i++) {
            parts[i] = new byte[] {1};
        }
        return parts;
    }
}
