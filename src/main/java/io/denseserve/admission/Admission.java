package io.denseserve.admission;

import io.denseserve.config.DenseServeProperties;
import io.denseserve.failure.DeadlineExceededException;
import io.denseserve.failure.OverloadedException;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.Semaphore;
import org.springframework.stereotype.Component;

/**
 * Admission control at the door. A classification takes an in-flight permit before anything else
 * and gives it back when its result is in, so under overload the excess is refused with 503 in
 * microseconds instead of being decoded first; the bound is
 * {@link DenseServeProperties.Inference#maxInFlight()}. Admitted images then share a
 * {@link DecodeBudget} of pixels, so a burst of large images cannot exhaust the heap, and a large
 * image that could not be decoded in its remaining time is refused before it is ({@link DecodePace}).
 */
@Component
public class Admission {

    private final int maxInFlight;
    private final Semaphore inFlight;
    private final DecodeBudget decodeBudget;
    /** 50 ns a pixel before any measurement: about 1 s for a 20-megapixel image on one core here. */
    private final DecodePace decodePace = new DecodePace(50);

    public Admission(DenseServeProperties properties, MeterRegistry registry) {
        this.maxInFlight = properties.getInference().maxInFlight();
        this.inFlight = new Semaphore(maxInFlight);
        this.decodeBudget = new DecodeBudget(properties.getLimits().getDecodePixelBudget());
        Gauge.builder("denseserve.requests.in.flight", inFlight, permits -> maxInFlight - permits.availablePermits())
                .description("classifications admitted and not yet answered (decoding, queued or in a batch)")
                .register(registry);
        Gauge.builder("denseserve.decode.pixels.free", decodeBudget, DecodeBudget::available)
                .description("pixels that may start decoding now (denseserve.limits.decode-pixel-budget)")
                .register(registry);
    }

    /** Takes an in-flight permit, or refuses with {@link OverloadedException}; give it back with {@link #release()}. */
    public void admit() {
        if (!inFlight.tryAcquire()) {
            throw new OverloadedException("too many classifications in flight (" + maxInFlight + "); retry shortly");
        }
    }

    public void release() {
        inFlight.release();
    }

    /** Every permit is taken: the next classification would be refused. */
    public boolean saturated() {
        return inFlight.availablePermits() == 0;
    }

    /**
     * A lease on decoding room for one admitted image, waiting for room until {@code waitUntilNanos}
     * ({@link DecodeBudget#lease(long)}).
     */
    public DecodeBudget.Lease decodeLease(long waitUntilNanos) {
        return decodeBudget.lease(waitUntilNanos);
    }

    /**
     * Refuses (503) an image of {@code pixels} whose decoding, at the recent pace, would end after
     * {@code deadlineNanos} ({@link DecodePace}).
     */
    public void checkTimeToDecode(long pixels, long deadlineNanos) {
        decodePace.check(pixels, deadlineNanos - System.nanoTime());
    }

    /**
     * After decoding and preprocessing an image of {@code pixels}: a large image (one {@link
     * DecodePace} admitted at the recent pace) that leaves less than {@code reserveNanos} of its
     * time for the queue and the forward pass is refused with 503, since only a pace that rose while
     * it decoded made it overrun and a retry can succeed; any other image past its deadline gets 504.
     */
    public void checkDecodedInTime(long pixels, long deadlineNanos, long reserveNanos) {
        long now = System.nanoTime();
        if (pixels >= DecodePace.LARGE && now - (deadlineNanos - reserveNanos) > 0) {
            throw new OverloadedException(String.format(java.util.Locale.ROOT,
                    "decoding this %.1f-megapixel image took most of the request's time at the current load; retry shortly",
                    pixels / 1e6));
        }
        if (now - deadlineNanos > 0) {
            throw new DeadlineExceededException("the request's deadline passed during preprocessing");
        }
    }

    /** One image's decoding and preprocessing time, for the pace. */
    public void recordDecode(long pixels, long nanos) {
        decodePace.record(pixels, nanos);
    }
}
