package io.denseserve.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.denseserve.admission.Admission;
import io.denseserve.serving.RequestMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.http.converter.json.Jackson2ObjectMapperBuilder;
import org.springframework.mock.web.MockFilterChain;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

/**
 * The early refusal answers exactly like a refusal from the service (status, problem type,
 * Retry-After, instance), counts it, never lets the request reach Spring MVC, and touches nothing
 * but classifications.
 */
class EarlyRefusalTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final Admission admission = mock(Admission.class);
    private final EarlyRefusal filter;

    EarlyRefusalTest() {
        ObjectMapper json = Jackson2ObjectMapperBuilder.json().build(); // as Spring Boot's, with the ProblemDetail mix-in
        filter = new EarlyRefusal(admission, new ProblemTypes(), new ProblemResponses(new RequestMetrics(registry), json,
                new LingeringClose(Duration.ofSeconds(2))));
    }

    @Test
    void whileSaturatedAClassificationGetsTheOverloadedProblemAndNeverReachesMvc() throws Exception {
        when(admission.saturated()).thenReturn(true);
        MockFilterChain chain = new MockFilterChain();
        MockHttpServletResponse response = run("/classify/densenet121", chain);

        assertThat(chain.getRequest()).as("passed on to MVC").isNull();
        assertThat(response.getStatus()).isEqualTo(503);
        assertThat(response.getContentType()).isEqualTo("application/problem+json");
        assertThat(response.getHeader("Retry-After")).isEqualTo("1");
        JsonNode problem = new ObjectMapper().readTree(response.getContentAsString());
        assertThat(problem.path("type").asText()).isEqualTo("https://denseserve.dev/problems/overloaded");
        assertThat(problem.path("title").asText()).isEqualTo("Overloaded");
        assertThat(problem.path("status").asInt()).isEqualTo(503);
        assertThat(problem.path("detail").asText()).isEqualTo(EarlyRefusal.DETAIL);
        assertThat(problem.path("instance").asText()).isEqualTo("/classify/densenet121");
        assertThat(registry.get("denseserve.requests").tag("outcome", "overloaded").counter().count()).isEqualTo(1);
    }

    @Test
    void anOpenInferenceRequestIsRefusedAsThatProtocolWritesErrors() throws Exception {
        when(admission.saturated()).thenReturn(true);
        MockHttpServletResponse response = run("/v2/models/m/infer", new MockFilterChain());
        assertThat(response.getStatus()).isEqualTo(503);
        assertThat(response.getHeader("Retry-After")).isEqualTo("1");
        assertThat(response.getContentType()).isEqualTo("application/json");
        assertThat(new ObjectMapper().readTree(response.getContentAsString()).path("error").asText()).isEqualTo(EarlyRefusal.DETAIL);
    }

    @Test
    void withAPermitFreeTheRequestGoesOn() throws Exception {
        when(admission.saturated()).thenReturn(false);
        MockFilterChain chain = new MockFilterChain();
        run("/classify", chain);
        assertThat(chain.getRequest()).isNotNull();
        assertThat(registry.find("denseserve.requests").tag("outcome", "overloaded").counters()).as("nothing counted").isEmpty();
    }

    @Test
    void healthChecksAndOtherPathsAreNeverRefusedHere() throws Exception {
        when(admission.saturated()).thenReturn(true);
        for (String path : new String[] {"/actuator/health/readiness", "/actuator/prometheus", "/classifyall", "/v3/api-docs"}) {
            MockFilterChain chain = new MockFilterChain();
            run(path, chain);
            assertThat(chain.getRequest()).as(path).isNotNull();
        }
    }

    private MockHttpServletResponse run(String path, MockFilterChain chain) throws Exception {
        MockHttpServletRequest request = new MockHttpServletRequest("POST", path);
        MockHttpServletResponse response = new MockHttpServletResponse();
        filter.doFilter(request, response, chain);
        return response;
    }
}
