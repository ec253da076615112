package io.denseserve.web;

import io.denseserve.admission.Admission;
import io.denseserve.config.DenseServeProperties;
import io.denseserve.failure.ImageRejectedException.Reason;
import io.denseserve.failure.ImageRejectedException;
import io.denseserve.failure.OverloadedException;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpHeaderValue;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.Scheduler;
import org.springframework.boot.autoconfigure.web.servlet.MultipartProperties;
import org.springframework.stereotype.Component;

/**
 * Reads every request body whole, without a request thread waiting for it, before the request
 * reaches the servlet layer, whatever the path or method; a request thread then finds the body in
 * memory. A client trickling a body costs a connection and the bytes received, not a thread.
 * Jetty 12.1 has this as {@code EagerContentHandler}; Spring Boot 3.5 manages Jetty 12.0, which
 * checks its minimum request data rate only where a servlet reads, on a request thread.
 *
 * <p>A classification is refused with 503 {@code overloaded} before its body is read while every
 * admission permit is taken ({@link Admission#saturated()}): at several times the saturation rate
 * most requests are refused, and a refusal should cost as little CPU as possible. Other ends
 * before a whole body, each answered with problem JSON ({@link ProblemResponses}) and
 * {@code Connection: close}, the rest of the body read and discarded as it arrives for up to
 * {@code denseserve.uploads.lingering-close} so that a client still sending reads the answer (left
 * to Jetty, a connection with body bytes unread is closed at once and reset: a client that writes
 * its whole body before it reads gets a broken pipe instead of the answer):
 * <ul>
 *   <li>408 {@code request-too-slow}, counted as {@code too_slow}: the average rate fell below
 *       {@code denseserve.uploads.min-data-rate} after the grace period, the body stopped arriving
 *       for Jetty's idle timeout, or it missed {@code denseserve.uploads.body-timeout};</li>
 *   <li>413: the body is larger than an image (raw, or sent to any other path) or a multipart or
 *       Open Inference request may be, or its memory alone would exceed
 *       {@code denseserve.uploads.memory-budget} (a request that can never succeed is never told to
 *       retry);</li>
 *   <li>503 {@code overloaded} with {@code Retry-After}: bodies being read or waiting for their
 *       answer already hold {@code denseserve.uploads.memory-budget}.</li>
 * </ul>
 */
@Component
class BodyBuffering extends Handler.Wrapper {

    /** The request attribute that holds a body read whole, as a {@code byte[]}. */
    static final String BODY = BodyBuffering.class.getName() + ".body";

    /**
     * A multipart body is held three times while handled: as it arrived, as parsed parts, and as
     * each part's bytes handed to the service; a raw body is handed over as it arrived.
     */
    private static final int MULTIPART_WEIGHT = 3;

    private final Admission admission;
    private final ClassificationRequests classifications;
    final ProblemTypes problems;
    private final ProblemResponses responses;
    /** Request-body bytes that may be held at once: one permit a byte, reserved before they are read. */
    final Semaphore budget;
    private final int budgetBytes;
    private final long maxImageBytes;
    private final long maxRequestBytes;
    final double minBytesPerSecond;
    final long graceNanos;
    final Duration bodyTimeout;
    private final Duration lingeringClose;
    private final AtomicInteger arriving = new AtomicInteger();

    BodyBuffering(DenseServeProperties properties, MultipartProperties multipart, Admission admission,
            ClassificationRequests classifications, ProblemTypes problems, ProblemResponses responses,
            MeterRegistry registry) {
        this.admission = admission;
        this.classifications = classifications;
        this.problems = problems;
        this.responses = responses;
        DenseServeProperties.Uploads uploads = properties.getUploads();
        this.budgetBytes = (int) Math.min(Integer.MAX_VALUE, uploads.getMemoryBudget().toBytes());
        this.budget = new Semaphore(budgetBytes);
        this.maxImageBytes = properties.getLimits().getMaxImageSize().toBytes();
        this.maxRequestBytes = multipart.getMaxRequestSize().toBytes();
        this.minBytesPerSecond = uploads.getMinDataRate().toBytes();
        this.graceNanos = uploads.getMinDataRateGrace().toNanos();
        this.bodyTimeout = uploads.getBodyTimeout();
        this.lingeringClose = uploads.getLingeringClose();
        Gauge.builder("denseserve.uploads.bytes", budget, b -> budgetBytes - b.availablePermits()).baseUnit("bytes")
                .description("request-body bytes held, while arriving and until answered").register(registry);
        Gauge.builder("denseserve.uploads.arriving", arriving, AtomicInteger::get)
                .description("request bodies being read").register(registry);
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        String path = Request.getPathInContext(request);
        if (classifications.matches(path) && admission.saturated()) {
            refuse(null, request, response, callback, problems.map(new OverloadedException(
                    "too many classifications in flight; retry shortly")));
            return true;
        }
        long declared = request.getLength();
        if (declared == 0 || (declared < 0 && !request.getHeaders().contains(HttpHeader.TRANSFER_ENCODING))) {
            return getHandler().handle(request, response, callback); // no body
        }
        String type = request.getHeaders().get(HttpHeader.CONTENT_TYPE);
        boolean multipart = type != null && type.toLowerCase(Locale.ROOT).startsWith("multipart/");
        // Several images (multipart, or an Open Inference request's inputs): the request size limit.
        boolean several = multipart || ClassificationRequests.isOpenInference(path);
        long cap = several && maxRequestBytes >= 0 ? maxRequestBytes : maxImageBytes;
        int weight = multipart ? MULTIPART_WEIGHT : 1;
        // A body whose memory would not fit the whole budget could never be served, even alone: 413, not 503.
        cap = Math.min(cap, Math.min(budgetBytes / weight, Integer.MAX_VALUE - 8));
        if (declared > cap) {
            refuse(null, request, response, callback, problems.map(new ImageRejectedException(Reason.TOO_MANY_BYTES,
                    "the request body has " + declared + " bytes; the limit is " + cap)));
            return true;
        }
        long limit = declared >= 0 ? declared : cap;
        if (!budget.tryAcquire(ArrivingBody.firstReservation(limit, weight))) {
            refuse(null, request, response, callback, overBudget());
            return true;
        }
        arriving.incrementAndGet();
        new ArrivingBody(this, request, response, callback, limit, weight).start();
        return true;
    }

    /**
     * Answers with a problem before the whole body was read, then lets the connection linger while
     * the rest is discarded, for {@code denseserve.uploads.lingering-close} at most ({@code body}
     * null: none of it was read yet; a client still waiting for 100 Continue is not asked for it).
     */
    void refuse(ArrivingBody body, Request request, Response response, Callback callback, ProblemTypes.Mapped problem) {
        if (body == null && request.getHeaders().contains(HttpHeader.EXPECT, HttpHeaderValue.CONTINUE.asString())) {
            // The client waits for 100 Continue before it sends its body: answered now, it never sends it.
            responses.write(request, response, problem, callback);
            return;
        }
        CompletableFuture<Void> rest = body != null ? body.rest
                : Callback.Completable.with(discarded -> Content.Source.consumeAll(request, discarded));
        CompletableFuture<Void> lingered = new CompletableFuture<>();
        Scheduler.Task deadline = request.getComponents().getScheduler()
                .schedule(() -> lingered.complete(null), lingeringClose.toMillis(), TimeUnit.MILLISECONDS);
        lingered.whenComplete((done, failure) -> {
            deadline.cancel();
            if (failure == null) {
                callback.succeeded();
            } else {
                callback.failed(failure);
            }
        });
        responses.write(request, response, problem, Callback.from(
                () -> rest.whenComplete((done, failure) -> lingered.complete(null)), lingered::completeExceptionally));
    }

    ProblemTypes.Mapped tooLarge(long cap) {
        return problems.map(new ImageRejectedException(Reason.TOO_MANY_BYTES,
                "the request body has more than " + cap + " bytes; the limit is " + cap));
    }

    ProblemTypes.Mapped overBudget() {
        return problems.map(new OverloadedException("request bodies in progress fill the upload memory budget; retry shortly"));
    }

    /** A body being read has ended, one way or another. */
    void ended() {
        arriving.decrementAndGet();
    }
}
