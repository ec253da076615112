package io.denseserve.classify;

import io.denseserve.inference.DeadlineExceededException;
import io.denseserve.inference.OverloadedException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Pixels being decoded at once. A decoded image holds up to about 9 bytes per pixel until it is
 * preprocessed (the decoder's raster, the RGB copy, an EXIF rotation), so the heap an upload burst
 * can take is bounded by pixels, not by a count of images: many small images decode side by side,
 * a 20-megapixel one waits for room. Not fair on purpose: a small image takes room as soon as
 * there is some, rather than queueing behind large ones.
 */
final class DecodeBudget {

    private final Semaphore pixels;
    private final int capacity;

    /** @param capacity pixels; an image with more takes all of them */
    DecodeBudget(long capacity) {
        this.capacity = (int) Math.min(Integer.MAX_VALUE, capacity);
        this.pixels = new Semaphore(this.capacity);
    }

    /** Room for one image's pixels, taken once its header has been read, given back on close. */
    Lease lease(long waitUntilNanos) {
        return new Lease(waitUntilNanos);
    }

    int available() {
        return pixels.availablePermits();
    }

    final class Lease implements AutoCloseable {
        private final long waitUntilNanos;
        private int held;

        private Lease(long waitUntilNanos) {
            this.waitUntilNanos = waitUntilNanos;
        }

        /**
         * Waits for room for {@code count} pixels until the lease's time is up. Asked again for the
         * same image (a second decoder trying it), it holds the larger count once.
         *
         * @throws OverloadedException if there is none by then
         */
        void acquire(long count) {
            int permits = (int) Math.min(capacity, count) - held;
            if (permits <= 0) {
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
            held = 0;
        }
    }
}
