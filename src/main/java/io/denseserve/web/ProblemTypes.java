package io.denseserve.web;

import io.denseserve.inference.DeadlineExceededException;
import io.denseserve.inference.InferenceFailedException;
import io.denseserve.inference.InferenceMetrics.Outcome;
import io.denseserve.inference.ModelNotReadyException;
import io.denseserve.inference.OverloadedException;
import io.denseserve.preprocess.ImageRejectedException;
import io.denseserve.serving.ModelNotFoundException;
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
        if (e instanceof ImageRejectedException r) {
            return switch (r.reason()) {
                case EMPTY -> problem(HttpStatus.BAD_REQUEST, "empty-image", "Empty image", e, Outcome.BAD_INPUT);
                case NOT_AN_IMAGE -> problem(HttpStatus.BAD_REQUEST, "not-an-image", "Not an image", e, Outcome.BAD_INPUT);
                case CORRUPT -> problem(HttpStatus.BAD_REQUEST, "corrupt-image", "Truncated or corrupt image", e, Outcome.BAD_INPUT);
                case UNSUPPORTED_MEDIA_TYPE -> problem(HttpStatus.UNSUPPORTED_MEDIA_TYPE, "unsupported-media-type",
                        "Unsupported media type", e, Outcome.BAD_INPUT);
                case TOO_MANY_BYTES -> problem(HttpStatus.PAYLOAD_TOO_LARGE, "image-too-large", "Image too large", e, Outcome.TOO_LARGE);
                case TOO_MANY_PIXELS -> problem(HttpStatus.PAYLOAD_TOO_LARGE, "too-many-pixels", "Too many pixels", e, Outcome.TOO_LARGE);
            };
        }
        if (e instanceof OverloadedException) {
            return problem(HttpStatus.SERVICE_UNAVAILABLE, "overloaded", "Overloaded", e, Outcome.OVERLOADED);
        }
        if (e instanceof ModelNotReadyException) {
            return problem(HttpStatus.SERVICE_UNAVAILABLE, "model-not-ready", "Model not ready", e, Outcome.ERROR);
        }
        if (e instanceof DeadlineExceededException) {
            return problem(HttpStatus.GATEWAY_TIMEOUT, "deadline-exceeded", "Deadline exceeded", e, Outcome.TIMEOUT);
        }
        if (e instanceof ModelNotFoundException) {
            return problem(HttpStatus.NOT_FOUND, "model-not-found", "Model not found", e, Outcome.BAD_INPUT);
        }
        if (e instanceof jakarta.validation.ConstraintViolationException || e instanceof InvalidParameterException) {
            return problem(HttpStatus.BAD_REQUEST, "invalid-parameter", "Invalid parameter", e, Outcome.BAD_INPUT);
        }
        if (e instanceof InferenceFailedException) {
            return problem(HttpStatus.INTERNAL_SERVER_ERROR, "inference-failed", "Inference failed", e, Outcome.ERROR);
        }
        ProblemDetail internal = ProblemDetail.forStatusAndDetail(HttpStatus.INTERNAL_SERVER_ERROR,
                "an unexpected error occurred; it has been logged");
        internal.setType(type("internal-error"));
        internal.setTitle("Internal error");
        return new Mapped(internal, Outcome.ERROR);
    }

    /** 408: the request body arrived too slowly (below the minimum data rate, or not within its deadline). */
    public Mapped tooSlow(String detail) {
        ProblemDetail p = ProblemDetail.forStatusAndDetail(HttpStatus.REQUEST_TIMEOUT, detail);
        p.setType(type("request-too-slow"));
        p.setTitle("Request too slow");
        return new Mapped(p, Outcome.TOO_SLOW);
    }

    static URI type(String slug) {
        return URI.create("https://denseserve.dev/problems/" + slug);
    }

    private static Mapped problem(HttpStatus status, String slug, String title, Throwable e, Outcome outcome) {
        ProblemDetail p = ProblemDetail.forStatusAndDetail(status, e.getMessage());
        p.setType(type(slug));
        p.setTitle(title);
        return new Mapped(p, outcome);
    }
}
