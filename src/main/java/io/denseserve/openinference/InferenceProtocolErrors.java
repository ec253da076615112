package io.denseserve.openinference;

import io.denseserve.serving.RequestMetrics;
import io.denseserve.web.ClassificationRequests;
import io.denseserve.web.ProblemTypes;
import jakarta.servlet.http.HttpServletRequest;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/**
 * Errors of the Open Inference Protocol's endpoints as the protocol writes them,
 * {@code {"error": "..."}}, with the status {@code /classify} would give the same failure (the one
 * mapping, {@link ProblemTypes}); 503 carries {@code Retry-After}. Inference requests are counted
 * by outcome like classifications.
 */
@RestControllerAdvice(assignableTypes = {InferenceProtocolController.class, RepositoryController.class})
@Order(Ordered.HIGHEST_PRECEDENCE)
class InferenceProtocolErrors {

    private static final Logger LOG = LoggerFactory.getLogger(InferenceProtocolErrors.class);

    private final ProblemTypes problems;
    private final RequestMetrics metrics;
    private final ClassificationRequests classifications;

    InferenceProtocolErrors(ProblemTypes problems, RequestMetrics metrics, ClassificationRequests classifications) {
        this.problems = problems;
        this.metrics = metrics;
        this.classifications = classifications;
    }

    @ExceptionHandler(Exception.class)
    ResponseEntity<Map<String, String>> handle(Exception e, HttpServletRequest request) {
        ProtocolFailure failure = ProtocolFailure.of(e, problems);
        HttpStatus status = failure.status();
        if (status == HttpStatus.INTERNAL_SERVER_ERROR) {
            LOG.error("unexpected error on {} {}", request.getMethod(), request.getRequestURI(), e);
        }
        if (classifications.matches(request)) {
            metrics.count(failure.outcome());
        }
        ResponseEntity.BodyBuilder response = ResponseEntity.status(status).contentType(MediaType.APPLICATION_JSON);
        if (ProblemTypes.retryable(status.value())) {
            response.header(HttpHeaders.RETRY_AFTER, ProblemTypes.RETRY_AFTER_SECONDS);
        }
        return response.body(Map.of("error", failure.message()));
    }
}
