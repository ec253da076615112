package io.denseserve.web;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.mock.web.MockHttpServletRequest;

/** The matcher the running service derives from its controllers' {@link Classification} mappings. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class ClassificationRequestsTest {

    @Autowired
    ClassificationRequests classifications;

    @ParameterizedTest(name = "{0}{1} -> {2}")
    @CsvSource({
        "'', /classify, true",
        "'', /classify/batch, true",
        "'', /classifyall, false",
        "'', /classify/other, false",
        "'', /explain, true",
        "'', /explainer, false",
        "/api, /api/explain, true",
        "'', /models, false",
        "'', /actuator/health, false",
        "/api, /api/classify, true",
        "/api, /api/classifyall, false",
        "'', /v2/models/m/infer, true",
        "'', /v2/models/m/versions/3/infer, true",
        "/api, /api/v2/models/m/infer, true",
        "'', /v2/models/m, false",
        "'', /v2/models/m/ready, false",
        "'', /v2/models/m/infer/more, false",
        "'', /v2/health/ready, false",
    })
    void matchesTheMappingsOfClassificationHandlersOnly(String contextPath, String uri, boolean expected) {
        MockHttpServletRequest request = new MockHttpServletRequest("POST", uri);
        request.setContextPath(contextPath);
        assertThat(classifications.matches(request)).isEqualTo(expected);
    }
}
