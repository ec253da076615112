package io.denseserve.web;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.denseserve.serving.RequestMetrics;
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.Map;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.stereotype.Component;

/**
 * Answers a request with a problem before it reaches the servlet layer ({@link BodyBuffering}: a
 * classification refused, a body too large or too slow), exactly as {@link ProblemHandler} answers
 * those that did (an Open Inference request as the protocol wants: {@code {"error": detail}}), on a
 * connection that then closes, and counts its outcome.
 */
@Component
class ProblemResponses {

    private final RequestMetrics metrics;
    private final ObjectMapper json;

    ProblemResponses(RequestMetrics metrics, ObjectMapper json) {
        this.metrics = metrics;
        this.json = json;
    }

    /** The whole answer, with its length, and {@code Connection: close}; {@code written} once it is sent. */
    void write(Request request, Response response, ProblemTypes.Mapped mapped, Callback written) {
        boolean openInference = ClassificationRequests.isOpenInference(Request.getPathInContext(request));
        ProblemDetail problem = mapped.problem();
        problem.setInstance(URI.create(request.getHttpURI().getPath()));
        metrics.count(mapped.outcome());
        byte[] body;
        try {
            body = openInference
                    ? json.writeValueAsBytes(Map.of("error", String.valueOf(problem.getDetail())))
                    : json.writeValueAsBytes(problem);
        } catch (JsonProcessingException e) {
            written.failed(e);
            return;
        }
        response.setStatus(problem.getStatus());
        response.getHeaders().put(HttpHeader.CONTENT_TYPE,
                openInference ? MediaType.APPLICATION_JSON_VALUE : MediaType.APPLICATION_PROBLEM_JSON_VALUE);
        if (ProblemTypes.retryable(problem.getStatus())) {
            response.getHeaders().put(HttpHeader.RETRY_AFTER, ProblemTypes.RETRY_AFTER_SECONDS);
        }
        response.getHeaders().put(HttpHeader.CONNECTION, "close");
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
        response.write(true, ByteBuffer.wrap(body), written);
    }
}
