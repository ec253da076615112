package io.denseserve.web;

import io.denseserve.failure.ImageRejectedException;
import io.denseserve.inference.InferenceMetrics.Outcome;
import io.denseserve.serving.RequestMetrics;
import jakarta.servlet.http.HttpServletRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.lang.Nullable;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.ServletWebRequest;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.multipart.MaxUploadSizeExceededException;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;

/**
 * Every error as {@code application/problem+json}: Spring MVC's own (415, 413 multipart, 400
 * validation) through {@link ResponseEntityExceptionHandler}, ours through {@link ProblemTypes}.
 * Overload answers carry {@code Retry-After}. Each failed classification is counted by outcome.
 */
@RestControllerAdvice
class ProblemHandler extends ResponseEntityExceptionHandler {

    private static final Logger LOG = LoggerFactory.getLogger(ProblemHandler.class);

    private final ProblemTypes problems;
    private final RequestMetrics metrics;
    private final ClassificationRequests classifications;

    ProblemHandler(ProblemTypes problems, RequestMetrics metrics, ClassificationRequests classifications) {
        this.problems = problems;
        this.metrics = metrics;
        this.classifications = classifications;
    }

    @ExceptionHandler(Exception.class)
    ResponseEntity<ProblemDetail> handle(Exception e, HttpServletRequest request) {
        ProblemTypes.Mapped mapped = problems.map(e);
        ProblemDetail problem = mapped.problem();
        if (problem.getStatus() == HttpStatus.INTERNAL_SERVER_ERROR.value()) {
            LOG.error("unexpected error on {} {}", request.getMethod(), request.getRequestURI(), e);
        }
        count(request, mapped.outcome());
        HttpHeaders headers = new HttpHeaders();
        if (ProblemTypes.retryable(problem.getStatus())) {
            headers.set(HttpHeaders.RETRY_AFTER, ProblemTypes.RETRY_AFTER_SECONDS);
        }
        return ResponseEntity.status(problem.getStatus()).headers(headers).body(problem);
    }

    @Override
    protected ResponseEntity<Object> handleExceptionInternal(Exception ex, @Nullable Object body, HttpHeaders headers,
            HttpStatusCode status, WebRequest request) {
        Outcome outcome = status.value() == 413 ? Outcome.TOO_LARGE : Outcome.BAD_INPUT;
        if (request instanceof ServletWebRequest servlet) {
            count(servlet.getRequest(), outcome);
        }
        return super.handleExceptionInternal(ex, body, headers, status, request);
    }

    @Override
    protected ResponseEntity<Object> handleMaxUploadSizeExceededException(MaxUploadSizeExceededException ex,
            HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        ProblemDetail problem = problems.of(new ImageRejectedException(ImageRejectedException.Reason.TOO_MANY_BYTES,
                "the upload exceeds the size limit of " + ex.getMaxUploadSize() + " bytes"));
        return handleExceptionInternal(ex, problem, headers, HttpStatus.PAYLOAD_TOO_LARGE, request);
    }

    private void count(HttpServletRequest request, Outcome outcome) {
        if (classifications.matches(request)) {
            metrics.count(outcome);
        }
    }
}
