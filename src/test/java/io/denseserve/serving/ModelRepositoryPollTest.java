package io.denseserve.serving;

import static org.assertj.core.api.Assertions.assertThat;

import io.denseserve.testing.Http;
import io.denseserve.testing.Images;
import io.denseserve.testing.TestRepository;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.util.FileSystemUtils;

/**
 * With {@code denseserve.model.repository-poll} set, the repository's folders are followed without a
 * call: a new version takes the traffic, a new model is served, a model whose folder is gone is not,
 * and a corrupt version is refused while the one served keeps answering.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"denseserve.model.repository-poll=200ms", "denseserve.model.default-model=tiny"})
class ModelRepositoryPollTest {

    static final Path REPOSITORY = TestRepository.of("tiny/1");

    @DynamicPropertySource
    static void repository(DynamicPropertyRegistry registry) {
        registry.add("denseserve.model.repository", REPOSITORY::toString);
    }

    @LocalServerPort
    int port;

    @Test
    void newVersionsAndModelsAreServedAndRemovedOnesAreNot() throws Exception {
        Http http = new Http(port);
        http.awaitReady();
        TestRepository.version(REPOSITORY, "tiny/2");
        awaitAnswer(http, "tiny", r -> r.statusCode() == 200 && r.body().contains("\"version\":\"2\""));

        Path corrupt = TestRepository.version(REPOSITORY, "tiny/3");
        Files.write(corrupt.resolve("weights.safetensors"), new byte[] {1, 2, 3});
        TestRepository.version(REPOSITORY, "other/1");
        awaitAnswer(http, "other", r -> r.statusCode() == 200);
        assertThat(http.postRaw("/classify?model=tiny", "image/png", Images.png(16, 16)).body())
                .as("the corrupt version refused, the one served still answers").contains("\"version\":\"2\"");

        FileSystemUtils.deleteRecursively(REPOSITORY.resolve("other"));
        awaitAnswer(http, "other", r -> r.statusCode() == 404);
    }

    private static void awaitAnswer(Http http, String model, Predicate<HttpResponse<String>> expected) throws Exception {
        HttpResponse<String> response = null;
        for (int i = 0; i < 300; i++) {
            response = http.postRaw("/classify?model=" + model, "image/png", Images.png(16, 16));
            if (expected.test(response)) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the repository's change was not followed within 30 s: " + response.statusCode() + " "
                + response.body());
    }
}
