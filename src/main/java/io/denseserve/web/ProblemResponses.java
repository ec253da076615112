package io.denseserve.web;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.denseserve.serving.RequestMetrics;
import jakarta.servlet.AsyncContext;
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
    private final LingeringClose lingering;

    ProblemResponses(RequestMetrics metrics, ObjectMapper json, LingeringClose lingering) {
        this.metrics = metrics;
        this.json = json;
        this.lingering = lingering;
    }

    /**
     * Answers a request whose body has not been read, on the container's dispatch, and closes its
     * connection once the client has sent the rest or the lingering time is up
     * ({@link LingeringClose}). Answered the plain way, the container would read and discard the
     * rest of the body on this request thread, at whatever pace the client sends it: a client
     * trickling it would hold the thread. With a read listener set the request's input is
     * non-blocking, and the rest is read only as it arrives.
     */
    void writeUnread(HttpServletRequest request, HttpServletResponse response, ProblemTypes.Mapped mapped)
            throws IOException {
        if (!RequestBodies.present(request)) {
            response.setHeader(HttpHeaders.CONNECTION, "close");
            write(request, response, mapped);
            return;
        }
        LingeringClose.Lingering connection = lingering.linger(request.startAsync());
        try {
            request.getInputStream().setReadListener(connection);
            writeBeforeLingering(request, response, mapped);
        } catch (IOException | RuntimeException e) {
            connection.close();
            throw e;
        }
    }

    /**
     * Answers a request whose body an {@link Upload} was reading, which then discards the rest,
     * and closes its connection as {@link #writeUnread} does.
     */
    void writeUnread(Upload upload, ProblemTypes.Mapped mapped) {
        AsyncContext async = upload.async();
        LingeringClose.Lingering connection = lingering.linger(async);
        try {
            writeBeforeLingering((HttpServletRequest) async.getRequest(), (HttpServletResponse) async.getResponse(), mapped);
            upload.discardRest(connection);
        } catch (IOException | IllegalStateException | NullPointerException e) {
            // The client is gone, or the container ended the request meanwhile: Tomcat then throws
            // IllegalStateException, or NullPointerException from a flush once it has recycled the
            // request's processor (seen as a client closed while its 408 was written).
            connection.close();
        } catch (RuntimeException e) {
            connection.close();
            throw e;
        }
    }

    /** The whole answer, sent now, on a connection that closes once it has lingered. */
    private void writeBeforeLingering(HttpServletRequest request, HttpServletResponse response, ProblemTypes.Mapped mapped)
            throws IOException {
        response.setHeader(HttpHeaders.CONNECTION, "close");
        write(request, response, mapped);
        response.flushBuffer();
    }

    private void write(HttpServletRequest request, HttpServletResponse response, ProblemTypes.Mapped mapped) throws IOException {
        ProblemDetail problem = mapped.problem();
        problem.setInstance(URI.create(request.getRequestURI()));
        metrics.count(mapped.outcome());
        response.setStatus(problem.getStatus());
        if (ProblemTypes.retryable(problem.getStatus())) {
            response.setHeader(HttpHeaders.RETRY_AFTER, ProblemTypes.RETRY_AFTER_SECONDS);
        }
        if (ClassificationRequests.isOpenInference(request)) {
            response.setContentType(MediaType.APPLICATION_JSON_VALUE);
            writeWhole(response, json.writeValueAsBytes(Map.of("error", String.valueOf(problem.getDetail()))));
        } else {
            response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
            writeWhole(response, json.writeValueAsBytes(problem));
        }
    }

    /** With its length: the answer is complete once sent, whether or not the connection stays open a while. */
    private static void writeWhole(HttpServletResponse response, byte[] body) throws IOException {
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
    }
}
