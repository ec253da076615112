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
 * deadline, the rate check, or the client going away. After an answer before the whole body, what
 * the client still sends is discarded as it arrives ({@link #discardRest}).
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
    /** Closed once the client has sent the rest of the body or gone away, after an answer before it. */
    private volatile LingeringClose.Lingering rest;
    private volatile boolean restEnded;
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
            while (in.isReady()) {
                byte[] into = buffer; // null once released, which only follows settling
                if (settled.get() || into == null) {
                    LingeringClose.discardAvailable(in);
                    return;
                }
                if (received == into.length) {
                    if (received == cap) {
                        // Full: a declared body is complete (this read finds its end); a chunked one that
                        // goes on is larger than allowed, and the rest of it is discarded.
                        if (in.read() < 0) {
                            return;
                        }
                        if (settle()) {
                            endings.tooLarge(this);
                        }
                        continue;
                    }
                    if (!grow()) {
                        if (settle()) {
                            endings.overBudget(this);
                        }
                        continue;
                    }
                    into = buffer;
                }
                int n = in.read(into, (int) received, into.length - (int) received);
                if (n < 0) {
                    return;
                }
                received += n;
            }
        } catch (IOException | IllegalStateException e) {
            if (!settled.get()) {
                throw e;
            }
            // Answered meanwhile (rate check or deadline), and the request has ended since.
        }
    }

    @Override
    public void onAllDataRead() {
        if (settle()) {
            if (buffer.length != received) {
                buffer = Arrays.copyOf(buffer, (int) received); // a chunked body: the exact bytes, once
            }
            endings.arrived(this);
        } else {
            endRest();
        }
    }

    @Override
    public void onError(Throwable t) {
        if (settle()) {
            endings.abandoned(this);
        } else {
            endRest();
        }
    }

    /** After an answer before the whole body: what still arrives is discarded, and then the connection closes. */
    void discardRest(LingeringClose.Lingering connection) {
        rest = connection;
        if (restEnded) {
            connection.close(); // the client finished, or went away, while it was being answered
        }
    }

    private void endRest() {
        restEnded = true;
        LingeringClose.Lingering connection = rest;
        if (connection != null) {
            connection.close();
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
