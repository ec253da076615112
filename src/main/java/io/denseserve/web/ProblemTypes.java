package io.denseserve.web;

import io.denseserve.failure.DeadlineExceededException;
import io.denseserve.failure.ImageRejectedException;
import io.denseserve.failure.InferenceFailedException;
import io.denseserve.failure.InvalidParameterException;
import io.denseserve.failure.ModelNotFoundException;
import io.denseserve.failure.ModelNotReadyException;
import io.denseserve.failure.OverloadedException;
import io.denseserve.inference.InferenceMetrics.Outcome;
import java.net.URI;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.stereotype.Component;

/**
 * The one table from our exceptions to RFC 9457 problems: status, a stable {@code type} URI
 * (documented in the README), a title, the exception's message as {@code detail}, and the
 * metrics outcome. Messages are written for clients: no stack traces, no file paths.
 */
@Component
public class ProblemTypes {

    /** A problem and how it counts in {@code denseserve_requests_total}. */
    public record Mapped(ProblemDetail problem, Outcome outcome) {}

    /** Seconds a client refused with 503 should wait: the queue turns over in well under a second. */
    public static final String RETRY_AFTER_SECONDS = "1";

    /** Every 503 (overloaded, model not ready) carries {@code Retry-After}. */
    public static boolean retryable(int status) {
        return status == HttpStatus.SERVICE_UNAVAILABLE.value();
    }

    public ProblemDetail of(Throwable e) {
        return map(e).problem();
    }

    public Mapped map(Throwable e) {
        String detail = e.getMessage();
        if (e instanceof ImageRejectedException r) {
            return switch (r.reason()) {
                case EMPTY -> problem(HttpStatus.BAD_REQUEST, "empty-image", "Empty image", detail, Outcome.BAD_INPUT);
                case NOT_AN_IMAGE -> problem(HttpStatus.BAD_REQUEST, "not-an-image", "Not an image", detail, Outcome.BAD_INPUT);
                case CORRUPT -> problem(HttpStatus.BAD_REQUEST, "corrupt-image", "Truncated or corrupt image", detail, Outcome.BAD_INPUT);
                case UNSUPPORTED_MEDIA_TYPE -> problem(HttpStatus.UNSUPPORTED_MEDIA_TYPE, "unsupported-media-type",
                        "Unsupported media type", detail, Outcome.BAD_INPUT);
                case TOO_MANY_BYTES -> problem(HttpStatus.PAYLOAD_TOO_LARGE, "image-too-large", "Image too large", detail, Outcome.TOO_LARGE);
                case TOO_MANY_PIXELS -> problem(HttpStatus.PAYLOAD_TOO_LARGE, "too-many-pixels", "Too many pixels", detail, Outcome.TOO_LARGE);
            };
        }
        if (e instanceof OverloadedException) {
            return problem(HttpStatus.SERVICE_UNAVAILABLE, "overloaded", "Overloaded", detail, Outcome.OVERLOADED);
        }
        if (e instanceof ModelNotReadyException) {
            return problem(HttpStatus.SERVICE_UNAVAILABLE, "model-not-ready", "Model not ready", detail, Outcome.ERROR);
        }
        if (e instanceof DeadlineExceededException) {
            return problem(HttpStatus.GATEWAY_TIMEOUT, "deadline-exceeded", "Deadline exceeded", detail, Outcome.TIMEOUT);
        }
        if (e instanceof ModelNotFoundException) {
            return problem(HttpStatus.NOT_FOUND, "model-not-found", "Model not found", detail, Outcome.BAD_INPUT);
        }
        if (e instanceof jakarta.validation.ConstraintViolationException || e instanceof InvalidParameterException) {
            return problem(HttpStatus.BAD_REQUEST, "invalid-parameter", "Invalid parameter", detail, Outcome.BAD_INPUT);
        }
        if (e instanceof InferenceFailedException) {
            return problem(HttpStatus.INTERNAL_SERVER_ERROR, "inference-failed", "Inference failed", detail, Outcome.ERROR);
        }
        return problem(HttpStatus.INTERNAL_SERVER_ERROR, "internal-error", "Internal error",
                "an unexpected error occurred; it has been logged", Outcome.ERROR);
    }

    /** 408: the request body arrived too slowly (below the minimum data rate, or not within its deadline). */
    public Mapped tooSlow(String detail) {
        return problem(HttpStatus.REQUEST_TIMEOUT, "request-too-slow", "Request too slow", detail, Outcome.TOO_SLOW);
    }

    private static Mapped problem(HttpStatus status, String slug, String title, String detail, Outcome outcome) {
        ProblemDetail p = ProblemDetail.forStatusAndDetail(status, detail);
        p.setType(URI.create("https://denseserve.dev/problems/" + slug));
        p.setTitle(title);
        return new Mapped(p, outcome);
    }
}
