package io.denseserve.serving;

import static org.assertj.core.api.Assertions.assertThat;

import io.denseserve.testing.Http;
import io.denseserve.testing.TestRepository;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * With {@code denseserve.management.port} set, model management answers on that port only: the
 * service's own port answers 404, as if it had none, while classification is unchanged there.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "denseserve.management.token=s3cret")
class ManagementPortTest {

    static final int MANAGEMENT_PORT = Http.freePort();

    @DynamicPropertySource
    static void ports(DynamicPropertyRegistry registry) {
        registry.add("denseserve.model.repository", TestRepository.of("tiny/1")::toString);
        registry.add("denseserve.management.port", () -> MANAGEMENT_PORT);
    }

    @LocalServerPort
    int port;

    @Test
    void theRepositoryExtensionAnswersOnTheManagementPortOnly() {
        Http service = new Http(port);
        service.awaitReady();
        assertThat(service.postEmpty("/v2/repository/index", "Authorization", "Bearer s3cret").statusCode()).isEqualTo(404);
        assertThat(new Http(MANAGEMENT_PORT).postEmpty("/v2/repository/index", "Authorization", "Bearer s3cret").statusCode())
                .isEqualTo(200);
        assertThat(new Http(MANAGEMENT_PORT).postEmpty("/v2/repository/index").statusCode()).as("the token still needed")
                .isEqualTo(401);
        assertThat(service.postRaw("/classify", "image/png", io.denseserve.testing.Images.png(16, 16)).statusCode())
                .isEqualTo(200);
    }
}
