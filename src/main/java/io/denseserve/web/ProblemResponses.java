package io.denseserve.web;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.denseserve.serving.RequestMetrics;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.stereotype.Component;

/**
 * Answers a classification with a problem before it reaches Spring MVC (the web filters), exactly
 * as {@link ProblemHandler} answers those that did, and counts its outcome. Also the one home of the
 * rule that every 503 carries {@code Retry-After}.
 */
@Component
class ProblemResponses {

    /** Seconds a client refused with 503 should wait: the queue turns over in well under a second. */
    static final String RETRY_AFTER_SECONDS = "1";

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
        if (retryable(problem)) {
            response.setHeader(HttpHeaders.RETRY_AFTER, RETRY_AFTER_SECONDS);
        }
        response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
        json.writeValue(response.getOutputStream(), problem);
    }

    /** 503 (overloaded, shutting down, model not ready): worth retrying after {@link #RETRY_AFTER_SECONDS}. */
    static boolean retryable(ProblemDetail problem) {
        return problem.getStatus() == HttpStatus.SERVICE_UNAVAILABLE.value();
    }
}
