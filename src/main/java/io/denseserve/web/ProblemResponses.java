package io.denseserve.web;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.denseserve.serving.RequestMetrics;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.ReadListener;
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
 * Answers a request with a problem before it reaches Spring MVC (the web filters: a classification
 * refused, a body too large or too slow), exactly as {@link ProblemHandler} answers those that did
 * (an Open Inference request as the protocol wants: {@code {"error": detail}}), and counts its
 * outcome.
 */
@Component
class ProblemResponses {

    private final RequestMetrics metrics;
    private final ObjectMapper json;

    ProblemResponses(RequestMetrics metrics, ObjectMapper json) {
        this.metrics = metrics;
        this.json = json;
    }

    /**
     * Answers a request whose body has not been read, and closes its connection. Answered the plain
     * way, the container would then read and discard the rest of the body on this request thread,
     * at whatever pace the client sends it: a client trickling it would hold the thread. With a read
     * listener set the request's input is non-blocking, and what the client has not sent yet is
     * not waited for.
     */
    void writeUnread(HttpServletRequest request, HttpServletResponse response, ProblemTypes.Mapped mapped)
            throws IOException {
        response.setHeader(HttpHeaders.CONNECTION, "close");
        if (!RequestBodies.present(request) || request.isAsyncStarted()) {
            write(request, response, mapped);
            return;
        }
        AsyncContext async = request.startAsync();
        try {
            request.getInputStream().setReadListener(UNREAD);
            write(request, response, mapped);
        } finally {
            async.complete();
        }
    }

    /** Reads nothing: it only switches the input to non-blocking mode. */
    private static final ReadListener UNREAD = new ReadListener() {
        @Override
        public void onDataAvailable() {}

        @Override
        public void onAllDataRead() {}

        @Override
        public void onError(Throwable t) {}
    };

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
