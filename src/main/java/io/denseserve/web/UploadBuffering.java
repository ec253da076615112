package io.denseserve.web;

import io.denseserve.config.DenseServeProperties;
import io.denseserve.inference.OverloadedException;
import io.denseserve.preprocess.ImageRejectedException;
import io.denseserve.preprocess.ImageRejectedException.Reason;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.annotation.PreDestroy;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.web.ServerProperties;
import org.springframework.boot.autoconfigure.web.servlet.MultipartProperties;
import org.springframework.boot.web.servlet.filter.OrderedFormContentFilter;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Reads every request body before any request thread waits for it, whatever the path or method.
 * Tomcat reads bodies in blocking mode on the request thread, and its read timeout restarts with
 * every byte, so a client trickling a body holds a thread for as long as it likes, and a few
 * hundred such clients hold them all; that holds for a body nothing reads too (sent to a path that
 * answers 404, or refused before it is read), which Tomcat reads and discards after the answer.
 * Here the body is read with servlet non-blocking I/O ({@link Upload}): while it arrives it costs a
 * connection and the bytes received, not a thread. Once whole, the request is dispatched to Spring
 * MVC with the body in memory ({@link BufferedUploadRequest}). This filter runs before any other
 * that could read a body (Spring's form filter reads PUT, PATCH and DELETE forms); only
 * {@link EarlyRefusal} comes first, and refuses without reading.
 *
 * <p>Ends other than a whole body, each answered with problem JSON and {@code Connection: close},
 * without a thread waiting for the rest of the body, which is discarded as it arrives until the
 * connection closes ({@link LingeringClose}):
 * <ul>
 *   <li>408 {@code request-too-slow}, counted as {@code too_slow}: the average rate fell below
 *       {@code denseserve.uploads.min-data-rate} after the grace period (checked four times a
 *       second), or the body missed {@code denseserve.uploads.body-timeout};</li>
 *   <li>413: the body is larger than an image (raw, or sent to any other path) or a multipart
 *       request may be, or its memory alone would exceed {@code denseserve.uploads.memory-budget}
 *       (a request that can never succeed is never told to retry);</li>
 *   <li>503 {@code overloaded} with {@code Retry-After}: bodies being read or waiting for their
 *       answer already hold {@code denseserve.uploads.memory-budget}.</li>
 * </ul>
 * A client that goes away mid-body just frees its memory.
 */
@Component
@Order(UploadBuffering.ORDER)
public class UploadBuffering extends OncePerRequestFilter implements Upload.Endings {

    /** Before Spring's form filter, the first that may read a body, and just after {@link EarlyRefusal}. */
    static final int ORDER = OrderedFormContentFilter.DEFAULT_ORDER - 10;

    private static final Logger LOG = LoggerFactory.getLogger(UploadBuffering.class);
    private static final String UPLOAD = UploadBuffering.class.getName() + ".upload";
    private static final long CHECK_MILLIS = 250;
    /**
     * Slow bodies ended per check, at most: a twentieth of those arriving (or 32), so that clients
     * that started together, and would all be ended and reconnect together, are spread over the
     * next 5 s of checks instead of arriving as one wave, and none outlives its grace by more.
     */
    private static final int CHECKS_TO_SPREAD_OVER = 20;
    private static final int MIN_ENDS_PER_CHECK = 32;
    /**
     * A multipart body is held three times while handled: as it arrived, as parsed parts, and as
     * each part's bytes handed to the service; a raw body is handed over as it arrived.
     */
    private static final int MULTIPART_WEIGHT = 3;

    private final ProblemTypes problems;
    private final ProblemResponses responses;
    private final UploadBudget budget;
    private final long maxImageBytes;
    private final BufferedUploadRequest.MultipartLimits multipart;
    private final double minBytesPerSecond;
    private final long graceNanos;
    private final Duration bodyTimeout;
    /** Each body being read. */
    private final Set<Upload> arriving = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService rateCheck = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "upload-rate-check");
        t.setDaemon(true);
        return t;
    });

    UploadBuffering(DenseServeProperties properties, MultipartProperties multipartProperties, ServerProperties server,
            ProblemTypes problems, ProblemResponses responses, MeterRegistry registry) {
        this.problems = problems;
        this.responses = responses;
        DenseServeProperties.Uploads uploads = properties.getUploads();
        this.budget = new UploadBudget(uploads.getMemoryBudget().toBytes());
        this.maxImageBytes = properties.getLimits().getMaxImageSize().toBytes();
        long maxRequest = multipartProperties.getMaxRequestSize().toBytes();
        this.multipart = new BufferedUploadRequest.MultipartLimits(multipartProperties.getMaxFileSize().toBytes(),
                maxRequest, server.getTomcat().getMaxPartCount(), (int) server.getTomcat().getMaxPartHeaderSize().toBytes());
        this.minBytesPerSecond = uploads.getMinDataRate().toBytes();
        this.graceNanos = uploads.getMinDataRateGrace().toNanos();
        this.bodyTimeout = uploads.getBodyTimeout();
        Gauge.builder("denseserve.uploads.bytes", budget, UploadBudget::used).baseUnit("bytes")
                .description("request-body bytes held, while arriving and until answered").register(registry);
        Gauge.builder("denseserve.uploads.arriving", arriving, Set::size)
                .description("request bodies being read").register(registry);
        rateCheck.scheduleWithFixedDelay(this::checkRates, CHECK_MILLIS, CHECK_MILLIS, TimeUnit.MILLISECONDS);
    }

    @Override
    protected boolean shouldNotFilterAsyncDispatch() {
        return false; // the dispatch after the body arrived comes back through here
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        if (request.getDispatcherType() == DispatcherType.ASYNC) {
            Upload upload = (Upload) request.getAttribute(UPLOAD);
            if (upload == null) {
                chain.doFilter(request, response);
                return;
            }
            try {
                chain.doFilter(new BufferedUploadRequest(request, upload.body(), multipart), response);
            } finally {
                upload.release();
            }
            return;
        }
        if (!RequestBodies.present(request)) {
            chain.doFilter(request, response); // no body: a classification's controller says what is missing
            return;
        }
        long declared = request.getContentLengthLong();
        boolean isMultipart = isMultipart(request);
        // Several images (multipart, or an Open Inference request's inputs): the request size limit.
        boolean several = isMultipart || ClassificationRequests.isOpenInference(request);
        long cap = several && multipart.maxRequestSize() >= 0 ? multipart.maxRequestSize() : maxImageBytes;
        int weight = isMultipart ? MULTIPART_WEIGHT : 1;
        // A body whose memory would not fit the whole budget could never be served, even alone: 413, not 503.
        cap = Math.min(cap, Math.min(budget.capacity() / weight, Integer.MAX_VALUE - 8));
        if (declared > cap) {
            responses.writeUnread(request, response, problems.map(new ImageRejectedException(Reason.TOO_MANY_BYTES,
                    "the request body has " + declared + " bytes; the limit is " + cap)));
            return;
        }
        long first = Upload.firstReservation(declared, cap, weight);
        if (!budget.tryReserve(first)) {
            responses.writeUnread(request, response, overBudget());
            return;
        }
        AsyncContext async = request.startAsync();
        async.setTimeout(bodyTimeout.toMillis());
        Upload upload = new Upload(async, request.getInputStream(), declared, cap, weight, budget, this);
        async.addListener(new Deadline(upload));
        request.setAttribute(UPLOAD, upload);
        arriving.add(upload);
        request.getInputStream().setReadListener(upload);
    }

    private static boolean isMultipart(HttpServletRequest request) {
        String type = request.getContentType();
        return type != null && type.toLowerCase(java.util.Locale.ROOT).startsWith("multipart/");
    }

    @Override
    public void arrived(Upload upload) {
        arriving.remove(upload);
        upload.async().dispatch();
    }

    @Override
    public void tooLarge(Upload upload) {
        end(upload, problems.map(new ImageRejectedException(Reason.TOO_MANY_BYTES,
                "the request body has more than " + upload.cap() + " bytes; the limit is " + upload.cap())));
    }

    @Override
    public void overBudget(Upload upload) {
        end(upload, overBudget());
    }

    @Override
    public void abandoned(Upload upload) {
        arriving.remove(upload);
        upload.release();
        try {
            upload.async().complete();
        } catch (IllegalStateException alreadyEnded) {
            // the container ended it as it reported the error
        }
    }

    private ProblemTypes.Mapped overBudget() {
        return problems.map(new OverloadedException(
                "request bodies in progress fill the upload memory budget; retry shortly"));
    }

    /** The rate check: every body older than the grace period must have averaged the minimum rate. */
    private void checkRates() {
        int most = Math.max(MIN_ENDS_PER_CHECK, arriving.size() / CHECKS_TO_SPREAD_OVER);
        int ended = 0;
        for (Upload upload : arriving) {
            if (ended == most) {
                return; // the rest next time
            }
            long elapsed = upload.elapsedNanos();
            if (elapsed <= graceNanos) {
                continue;
            }
            double rate = upload.received() / (elapsed / 1e9);
            if (rate < minBytesPerSecond && upload.settle()) {
                ended++;
                // Concatenated, not formatted: under a trickling attack this runs hundreds of times a second.
                endGuarded(upload, problems.tooSlow("the request body arrived at " + Math.round(rate)
                        + " bytes/s; the minimum is " + Math.round(minBytesPerSecond) + " bytes/s"));
            }
        }
    }

    /**
     * {@link #end} from the rate check's own thread, which must outlive any one ending: an exception
     * escaping a periodic task cancels it for good, silently, and slow bodies would then hold their
     * connections until the body timeout, all of them together. (A failed answer closes its connection.)
     */
    private void endGuarded(Upload upload, ProblemTypes.Mapped problem) {
        try {
            end(upload, problem);
        } catch (RuntimeException e) {
            LOG.warn("answering a slow request body failed; its connection is closed", e);
        }
    }

    /** Answers a settled upload with a problem; its connection closes once the rest is discarded. */
    private void end(Upload upload, ProblemTypes.Mapped problem) {
        arriving.remove(upload);
        upload.release();
        responses.writeUnread(upload, problem);
    }

    /** {@code denseserve.uploads.body-timeout}, through the async context's own timeout. */
    private final class Deadline implements AsyncListener {
        private final Upload upload;

        Deadline(Upload upload) {
            this.upload = upload;
        }

        @Override
        public void onTimeout(AsyncEvent event) {
            if (upload.settle()) {
                end(upload, problems.tooSlow("the request body did not arrive within " + bodyTimeout.toSeconds() + " s"));
            }
        }

        @Override
        public void onComplete(AsyncEvent event) {
            arriving.remove(upload);
        }

        @Override
        public void onError(AsyncEvent event) {
            if (upload.settle()) {
                abandoned(upload);
            }
        }

        @Override
        public void onStartAsync(AsyncEvent event) {}
    }

    @PreDestroy
    void stop() {
        rateCheck.shutdownNow();
    }
}
