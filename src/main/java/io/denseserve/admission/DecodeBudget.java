package io.denseserve.admission;

import io.denseserve.failure.DeadlineExceededException;
import io.denseserve.failure.OverloadedException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Pixels being decoded at once. A decoded image holds up to about 9 bytes per pixel until it is
 * preprocessed (the decoder's raster, the RGB copy, an EXIF rotation), so the heap an upload burst
 * can take is bounded by pixels, not by a count of images: many small images decode side by side,
 * a 20-megapixel one waits for room.
 *
 * <p>Small images (at most 1% of the budget) have a lane of their own, a tenth of the budget on
 * top of it: waiters queue in order, so without it a thumbnail that finds no room would wait behind
 * every large image queued before it.
 */
public final class DecodeBudget {

    private final Semaphore pixels;
    private final Semaphore smallLane;
    private final int capacity;
    private final int smallImage;

    /** @param capacity pixels; an image with more takes all of them */
    DecodeBudget(long capacity) {
        this.capacity = (int) Math.min(Integer.MAX_VALUE / 2, capacity);
        this.pixels = new Semaphore(this.capacity);
        this.smallLane = new Semaphore(Math.max(1, this.capacity / 10));
        this.smallImage = Math.max(1, this.capacity / 100);
    }

    /** Room for one image's pixels, taken once its header has been read, given back on close. */
    Lease lease(long waitUntilNanos) {
        return new Lease(waitUntilNanos);
    }

    /** Pixels free in the main budget (the small images' lane aside). */
    int available() {
        return pixels.availablePermits();
    }

    public final class Lease implements AutoCloseable {
        private final long waitUntilNanos;
        private int held;
        private int heldInLane;

        private Lease(long waitUntilNanos) {
            this.waitUntilNanos = waitUntilNanos;
        }

        /**
         * Waits for room for {@code count} pixels until the lease's time is up. Asked again for the
         * same image (a second decoder trying it), it holds the larger count once.
         *
         * @throws OverloadedException if there is none by then
         */
        public void acquire(long count) {
            int permits = (int) Math.min(capacity, count) - held - heldInLane;
            if (permits <= 0) {
                return;
            }
            if (held == 0 && heldInLane == 0 && count <= smallImage && smallLane.tryAcquire(permits)) {
                heldInLane = permits;
                return;
            }
            try {
                if (!pixels.tryAcquire(permits, Math.max(0, waitUntilNanos - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                    throw new OverloadedException("too many pixels are being decoded at once; retry shortly");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new DeadlineExceededException("interrupted while waiting to decode");
            }
            held += permits;
        }

        @Override
        public void close() {
            pixels.release(held);
            smallLane.release(heldInLane);
            held = 0;
            heldInLane = 0;
        }
    }
}
