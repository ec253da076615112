package io.denseserve.serving;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.denseserve.testing.Http;
import io.denseserve.testing.Images;
import io.denseserve.testing.TestRepository;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.util.FileSystemUtils;

/**
 * Ten swaps between two versions of a model while eight clients classify with it, one request
 * after another (two of them two images at a time through the Open Inference Protocol): a version folder appears and is loaded (the new version takes the traffic, the
 * old drains and is freed), then disappears and is loaded again (back to the first). Every request
 * must succeed, and every answer must name the version that computed it: its probabilities (both
 * images', for a request of two) are that version's, and not the other's.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "denseserve.management.token=s3cret")
class ModelSwapUnderLoadTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String[] AUTH = {"Authorization", "Bearer s3cret"};
    static final int CLIENTS = 8;
    static final int SWAPS = 10;
    static final Path REPOSITORY = TestRepository.of("tiny/2");

    @DynamicPropertySource
    static void repository(DynamicPropertyRegistry registry) {
        registry.add("denseserve.model.repository", REPOSITORY::toString);
    }

    @LocalServerPort
    int port;

    @Test
    void swapsUnderLoadLoseNothingAndEveryAnswerNamesItsVersion() throws Exception {
        Http http = new Http(port);
        http.awaitReady();
        byte[] image = Images.png(16, 16);
        Path third = REPOSITORY.resolve("tiny/3");
        Map<String, double[]> reference = new ConcurrentHashMap<>();
        reference.put("2", TestRepository.probabilities(classify(http, image)));
        TestRepository.version(REPOSITORY, "tiny/3");
        swap(http, "3");
        reference.put("3", TestRepository.probabilities(classify(http, image)));
        FileSystemUtils.deleteRecursively(third);
        swap(http, "2");
        assertThat(reference.get("3")).as("the two versions answer apart").isNotEqualTo(reference.get("2"));

        AtomicBoolean running = new AtomicBoolean(true);
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        Map<String, AtomicInteger> answeredBy = new ConcurrentHashMap<>();
        ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
        List<Future<?>> load = new ArrayList<>();
        String twoImages = JSON.writeValueAsString(java.util.Map.of("inputs", List.of(java.util.Map.of("name", "image",
                "datatype", "BYTES", "shape", List.of(2), "data", List.of(java.util.Base64.getEncoder().encodeToString(image),
                        java.util.Base64.getEncoder().encodeToString(image))))));
        for (int c = 0; c < CLIENTS; c++) {
            boolean openInference = c < 2; // two of the clients send both images in one Open Inference Protocol request
            load.add(clients.submit(() -> {
                while (running.get()) {
                    try {
                        HttpResponse<String> response = openInference
                                ? http.postRaw("/v2/models/tiny/infer", "application/json", twoImages.getBytes())
                                : http.postRaw("/classify?model=tiny&topK=3", "image/png", image);
                        if (response.statusCode() != 200) {
                            failures.add(response.statusCode() + " " + response.body());
                            continue;
                        }
                        JsonNode answer = JSON.readTree(response.body());
                        String version = openInference ? answer.path("model_version").asText()
                                : answer.path("model").path("version").asText();
                        double[] expected = reference.get(version);
                        List<double[]> rows = new ArrayList<>();
                        if (openInference) {
                            JsonNode data = answer.path("outputs").get(0).path("data");
                            for (int row = 0; row < 2; row++) {
                                rows.add(new double[] {data.get(3 * row).asDouble(), data.get(3 * row + 1).asDouble(),
                                    data.get(3 * row + 2).asDouble()});
                            }
                        } else {
                            rows.add(TestRepository.probabilities(answer));
                        }
                        for (double[] got : rows) {
                            if (expected == null || maxDifference(expected, got) > 1e-5) {
                                failures.add("version " + version + " answered " + java.util.Arrays.toString(got));
                            }
                        }
                        answeredBy.computeIfAbsent(version, v -> new AtomicInteger()).incrementAndGet();
                    } catch (RuntimeException | IOException e) {
                        failures.add(e.toString());
                    }
                }
            }));
        }
        try {
            for (int i = 0; i < SWAPS; i++) {
                Thread.sleep(300);
                if (i % 2 == 0) {
                    TestRepository.version(REPOSITORY, "tiny/3");
                    swap(http, "3");
                } else {
                    FileSystemUtils.deleteRecursively(third);
                    swap(http, "2");
                }
            }
            Thread.sleep(300);
        } finally {
            running.set(false);
            for (Future<?> f : load) {
                f.get();
            }
            clients.shutdown();
        }
        assertThat(failures).as("failed or misattributed answers").isEmpty();
        assertThat(answeredBy.keySet()).as("both versions answered under load").containsExactlyInAnyOrder("2", "3");
    }

    private static void swap(Http http, String expected) throws IOException {
        HttpResponse<String> load = http.postEmpty("/v2/repository/models/tiny/load", AUTH);
        assertThat(load.statusCode()).as(load.body()).isEqualTo(200);
        assertThat(JSON.readTree(load.body()).path("versions").toString()).isEqualTo("[\"" + expected + "\"]");
    }

    private static JsonNode classify(Http http, byte[] image) throws IOException {
        HttpResponse<String> response = http.postRaw("/classify?model=tiny&topK=3", "image/png", image);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    private static double maxDifference(double[] a, double[] b) {
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs(a[i] - b[i]));
        }
        return max;
    }
}
