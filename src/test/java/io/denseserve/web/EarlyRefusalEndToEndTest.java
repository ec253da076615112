package io.denseserve.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.doReturn;
import static org.mockito.Mockito.reset;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.denseserve.admission.Admission;
import io.denseserve.testing.Http;
import io.denseserve.testing.Images;
import io.denseserve.testing.TestBundles;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.bean.override.mockito.MockitoSpyBean;

/**
 * While every admission permit is taken, a classification is refused before its body is read,
 * with the same answer as every other refusal; health checks and other paths are never refused.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class EarlyRefusalEndToEndTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @DynamicPropertySource
    static void tinyModel(DynamicPropertyRegistry registry) {
        Path bundle = TestBundles.rgb(10, 4, 16);
        registry.add("denseserve.model.bundle", bundle::toString);
    }

    @LocalServerPort
    int port;

    @Autowired
    MeterRegistry registry;

    @MockitoSpyBean
    Admission admission;

    @AfterEach
    void free() {
        reset(admission);
    }

    @Test
    void whileSaturatedAClassificationGetsTheOverloadedProblemAndClosesItsConnection() throws Exception {
        Http http = new Http(port);
        http.awaitReady();
        double before = overloadedCount();
        doReturn(true).when(admission).saturated();
        HttpResponse<String> refused = http.postRaw("/classify", "image/png", Images.png(16, 16));
        assertThat(refused.statusCode()).isEqualTo(503);
        assertThat(refused.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(refused.headers().firstValue("Retry-After")).hasValue("1");
        assertThat(refused.headers().firstValue("Connection")).hasValue("close");
        JsonNode problem = JSON.readTree(refused.body());
        assertThat(problem.path("type").asText()).isEqualTo("https://denseserve.dev/problems/overloaded");
        assertThat(problem.path("title").asText()).isEqualTo("Overloaded");
        assertThat(problem.path("status").asInt()).isEqualTo(503);
        assertThat(problem.path("instance").asText()).isEqualTo("/classify");
        assertThat(overloadedCount()).isEqualTo(before + 1);
    }

    @Test
    void anOpenInferenceRequestIsRefusedAsThatProtocolWritesErrors() throws Exception {
        Http http = new Http(port);
        http.awaitReady();
        doReturn(true).when(admission).saturated();
        HttpResponse<String> refused = http.postRaw("/v2/models/m/infer", "application/json", "{}".getBytes());
        assertThat(refused.statusCode()).isEqualTo(503);
        assertThat(refused.headers().firstValue("Retry-After")).hasValue("1");
        assertThat(refused.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(JSON.readTree(refused.body()).path("error").asText()).contains("too many classifications in flight");
    }

    @Test
    void healthChecksAndOtherPathsAreNeverRefusedHere() {
        // A path no handler serves can never succeed: 404, not a 503 that invites a retry.
        Http http = new Http(port);
        http.awaitReady();
        doReturn(true).when(admission).saturated();
        assertThat(http.get("/actuator/health/readiness").statusCode()).isEqualTo(200);
        assertThat(http.get("/models").statusCode()).isEqualTo(200);
        assertThat(http.postRaw("/classifyall", "image/png", Images.png(16, 16)).statusCode()).isEqualTo(404);
        assertThat(http.postRaw("/classify/densenet121", "image/png", Images.png(16, 16)).statusCode()).isEqualTo(404);
    }

    private double overloadedCount() {
        var counter = registry.find("denseserve.requests").tag("outcome", "overloaded").tag("protocol", "rest").counter();
        return counter == null ? 0 : counter.count();
    }
}
