package io.denseserve.admission;

import io.denseserve.failure.OverloadedException;

/**
 * How long decoding and preprocessing have lately taken per pixel, for large images. An image
 * whose decoding would outlast what is left of its request's time is refused with 503 (retry
 * shortly) once its header is read, instead of being decoded and then answered 504: under a burst
 * of 20-megapixel images the pace rises, and the refusal comes while it can still help.
 */
final class DecodePace {

    /** Pixels from which images are measured and checked; smaller ones decode in milliseconds. */
    static final long LARGE = 1_000_000;
    /** Weight of the newest measurement in the moving average. */
    private static final double WEIGHT = 0.25;

    private volatile double nanosPerPixel;

    /** @param initialNanosPerPixel the pace assumed before any large image was measured */
    DecodePace(double initialNanosPerPixel) {
        this.nanosPerPixel = initialNanosPerPixel;
    }

    void record(long pixels, long nanos) {
        if (pixels >= LARGE) {
            nanosPerPixel = (1 - WEIGHT) * nanosPerPixel + WEIGHT * ((double) nanos / pixels);
        }
    }

    /** @throws OverloadedException if {@code pixels} would take longer than {@code remainingNanos} at the pace */
    void check(long pixels, long remainingNanos) {
        if (pixels >= LARGE && pixels * nanosPerPixel > remainingNanos) {
            throw new OverloadedException(String.format(java.util.Locale.ROOT,
                    "decoding a %.1f-megapixel image now would outlast the request's time; retry shortly", pixels / 1e6));
        }
    }

    double nanosPerPixel() {
        return nanosPerPixel;
    }
}
