package io.denseserve.web;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.denseserve.serving.RequestMetrics;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.util.Map;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.stereotype.Component;

/**
 * Answers a classification with a problem before it reaches Spring MVC (the web filters), exactly
 * as {@link ProblemHandler} answers those that did (an Open Inference request as the protocol
 * wants: {@code {"error": detail}}), and counts its outcome.
 */
@Component
class ProblemResponses {

    private final RequestMetrics metrics;
    private final ObjectMapper json;

    ProblemResponses(RequestMetrics metrics, ObjectMapper json) {
        this.metrics = metrics;
        this.json = json;
    }

    void write(HttpServletRequest request, HttpServletResponse response, ProblemTypes.Mapped mapped) throws IOException {
        ProblemDetail problem = mapped.problem();
        problem.setInstance(URI.create(request.getRequestURI()));
        metrics.count(mapped.outcome());
        response.setStatus(problem.getStatus());
        if (ProblemTypes.retryable(problem.getStatus())) {
            response.setHeader(HttpHeaders.RETRY_AFTER, ProblemTypes.RETRY_AFTER_SECONDS);
        }
        if (ClassificationRequests.isOpenInference(request)) {
            response.setContentType(MediaType.APPLICATION_JSON_VALUE);
            json.writeValue(response.getOutputStream(), Map.of("error", String.valueOf(problem.getDetail())));
        } else {
            response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
            json.writeValue(response.getOutputStream(), problem);
        }
    }
}
