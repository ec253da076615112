package io.denseserve.web;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One request body arriving: read as the container reports data, without a thread waiting for
 * it, into memory reserved from the {@link UploadBudget} as the bytes arrive (the buffer doubles,
 * up to the Content-Length or the cap), so a client that promises a large body and sends little
 * holds little. Exactly one ending wins ({@link #settle}): the whole body, a failure, the
 * deadline, the rate check, or the client going away.
 */
final class Upload implements ReadListener {

    /** How an upload ends; implemented by {@link UploadBuffering}. */
    interface Endings {
        void arrived(Upload upload);

        void tooLarge(Upload upload);

        void overBudget(Upload upload);

        void abandoned(Upload upload);
    }

    /** The first buffer: a trickling client holds no more than this until it has sent more. */
    static final int FIRST_BUFFER = 8 * 1024;

    private final AsyncContext async;
    private final ServletInputStream in;
    private final long cap;
    private final UploadBudget budget;
    private final Endings endings;
    private final long startNanos = System.nanoTime();
    private final AtomicBoolean settled = new AtomicBoolean();
    private final AtomicBoolean released = new AtomicBoolean();
    private final int weight;
    private byte[] buffer;
    private volatile long received;
    private long reserved;

    /**
     * @param declared the Content-Length, or -1 for a chunked body
     * @param cap the most bytes accepted (at most {@code Integer.MAX_VALUE - 8})
     * @param weight bytes of memory counted per byte of body: more than 1 where the body is
     *     copied again while it is handled (multipart parts)
     * @param budget where {@link #firstReservation} has already been reserved for it
     */
    Upload(AsyncContext async, ServletInputStream in, long declared, long cap, int weight, UploadBudget budget,
            Endings endings) {
        this.async = async;
        this.in = in;
        this.cap = declared >= 0 ? Math.min(declared, cap) : cap;
        this.weight = weight;
        this.budget = budget;
        this.endings = endings;
        this.buffer = new byte[(int) Math.min(this.cap, FIRST_BUFFER)];
        this.reserved = firstReservation(declared, cap, weight);
    }

    /** What to reserve before reading a body of {@code declared} bytes (-1: chunked). */
    static long firstReservation(long declared, long cap, int weight) {
        return weight * Math.min(declared >= 0 ? Math.min(declared, cap) : cap, FIRST_BUFFER);
    }

    @Override
    public void onDataAvailable() throws IOException {
        try {
            while (!settled.get() && in.isReady()) {
                if (received == buffer.length) {
                    if (received == cap) {
                        // Full: a declared body is complete (this read finds its end); a chunked one that
                        // goes on is larger than allowed.
                        if (in.read() >= 0 && settle()) {
                            endings.tooLarge(this);
                        }
                        return;
                    }
                    if (!grow()) {
                        if (settle()) {
                            endings.overBudget(this);
                        }
                        return;
                    }
                }
                int n = in.read(buffer, (int) received, buffer.length - (int) received);
                if (n < 0) {
                    return;
                }
                received += n;
            }
        } catch (IOException | IllegalStateException e) {
            if (!settled.get()) {
                throw e;
            }
            // Answered meanwhile (rate check or deadline): the stream is closed under us.
        }
    }

    @Override
    public void onAllDataRead() {
        if (settle()) {
            if (buffer.length != received) {
                buffer = Arrays.copyOf(buffer, (int) received); // a chunked body: the exact bytes, once
            }
            endings.arrived(this);
        }
    }

    @Override
    public void onError(Throwable t) {
        if (settle()) {
            endings.abandoned(this);
        }
    }

    /** Twice the memory for the body, up to its length or the cap, if the budget allows. */
    private boolean grow() {
        long target = Math.min(cap, 2L * buffer.length);
        if (!budget.tryReserve(weight * target - reserved)) {
            return false;
        }
        reserved = weight * target;
        buffer = Arrays.copyOf(buffer, (int) target);
        return true;
    }

    /** True for the one caller that ends this upload. */
    boolean settle() {
        return settled.compareAndSet(false, true);
    }

    /** Gives the reserved memory back; once, whichever path ends the request. */
    void release() {
        if (released.compareAndSet(false, true)) {
            budget.release(reserved);
            buffer = null;
        }
    }

    AsyncContext async() {
        return async;
    }

    long cap() {
        return cap;
    }

    long received() {
        return received;
    }

    long elapsedNanos() {
        return System.nanoTime() - startNanos;
    }

    /** The whole body, exactly, once it {@link Endings#arrived}. */
    byte[] body() {
        return buffer;
    }
}
