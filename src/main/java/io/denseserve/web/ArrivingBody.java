package io.denseserve.web;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.Scheduler;

/**
 * One request body arriving ({@link BodyBuffering}), read as Jetty reports data, without a thread
 * waiting for it, into memory reserved from the upload budget as the bytes arrive (the
 * buffer doubles, up to the Content-Length or the cap), so a client that promises a large body and
 * sends little holds little. Exactly one ending wins ({@link #settle}): the whole body, handed to
 * the next handler; too many bytes; the budget full; a rate below the minimum after the grace
 * period; the body deadline; Jetty's idle timeout; or the client going away. After an answer sent
 * before the whole body, the rest is read and discarded as it arrives.
 */
final class ArrivingBody {

    /** The first buffer: a trickling client holds no more than this until it has sent more. */
    static final int FIRST_BUFFER = 8 * 1024;

    private final BodyBuffering owner;
    private final Request request;
    private final Response response;
    private final Callback callback;
    private final long cap;
    private final int weight;
    private final long startNanos = System.nanoTime();
    /**
     * The grace period, drawn per body between {@code denseserve.uploads.min-data-rate-grace} and
     * twice it: clients that start trickling together are then answered, and reconnect, spread
     * over seconds instead of in one wave.
     */
    private final long graceNanos;
    private final AtomicBoolean settled = new AtomicBoolean();
    /** Completed once the client has sent the whole body or gone away (after an answer before it: discarded). */
    final CompletableFuture<Void> rest = new CompletableFuture<>();
    private byte[] buffer;
    /** Written by the one thread reading at a time; read by the grace period's rate check too. */
    private volatile int received;
    /** Permits taken from the upload budget; guarded by this, as a deadline may release them while a read grows them. */
    private int reserved;
    private boolean released;
    private Scheduler.Task graceEnd;
    private Scheduler.Task deadline;

    /**
     * @param cap the most bytes accepted (at most {@code Integer.MAX_VALUE - 8}), the Content-Length if lower
     * @param weight bytes of memory counted per byte of body: more than 1 where the body is
     *     copied again while it is handled (multipart parts); {@link #firstReservation} is already reserved
     */
    ArrivingBody(BodyBuffering owner, Request request, Response response, Callback callback, long cap, int weight) {
        this.owner = owner;
        this.request = request;
        this.response = response;
        this.callback = callback;
        this.cap = cap;
        this.weight = weight;
        this.buffer = new byte[(int) Math.min(cap, FIRST_BUFFER)];
        this.reserved = firstReservation(cap, weight);
        this.graceNanos = owner.graceNanos + ThreadLocalRandom.current().nextLong(owner.graceNanos + 1);
    }

    /** What to reserve before reading a body of at most {@code cap} bytes. */
    static int firstReservation(long cap, int weight) {
        return weight * (int) Math.min(cap, FIRST_BUFFER);
    }

    void start() {
        Scheduler scheduler = request.getComponents().getScheduler();
        graceEnd = scheduler.schedule(this::checkRate, graceNanos + 1, TimeUnit.NANOSECONDS);
        deadline = scheduler.schedule(() -> {
            if (settle()) {
                end(owner.problems.tooSlow("the request body did not arrive within " + owner.bodyTimeout.toSeconds() + " s"));
            }
        }, owner.bodyTimeout.toMillis(), TimeUnit.MILLISECONDS);
        read();
    }

    /** Reads what has arrived, then asks Jetty to call again when there is more, until the body's end. */
    private void read() {
        while (true) {
            Content.Chunk chunk = request.read();
            if (chunk == null) {
                request.demand(this::read);
                return;
            }
            if (Content.Chunk.isFailure(chunk)) {
                if (settle()) {
                    failed(chunk.getFailure());
                }
                rest.complete(null);
                return;
            }
            boolean last = chunk.isLast();
            ProblemTypes.Mapped overflow = settled.get() ? null : keep(chunk.getByteBuffer());
            chunk.release();
            if (overflow != null) {
                if (settle()) {
                    end(overflow);
                }
            } else if (last) {
                if (settle()) {
                    arrived();
                }
            } else if (!settled.get()) {
                checkRate();
            }
            if (last) {
                rest.complete(null);
                return;
            }
        }
    }

    /** Copies the bytes into the buffer, growing it within the budget; null, or the answer if they do not fit. */
    private ProblemTypes.Mapped keep(ByteBuffer bytes) {
        while (bytes.hasRemaining()) {
            if (received == buffer.length) {
                if (received == cap) {
                    return owner.tooLarge(cap);
                }
                int target = (int) Math.min(cap, 2L * buffer.length);
                if (!reserve(weight * target - reserved)) {
                    return owner.overBudget();
                }
                buffer = Arrays.copyOf(buffer, target);
            }
            int n = Math.min(bytes.remaining(), buffer.length - received);
            bytes.get(buffer, received, n);
            received += n;
        }
        return null;
    }

    /**
     * Past the grace period, an average rate below the minimum ends the body with 408. Checked as
     * each part arrives and once when the grace period ends, for a client that sends nothing more.
     */
    private void checkRate() {
        long elapsed = System.nanoTime() - startNanos;
        double rate = received / (elapsed / 1e9);
        if (elapsed > graceNanos && rate < owner.minBytesPerSecond && settle()) {
            // Concatenated, not formatted: under a trickling attack this runs hundreds of times a second.
            end(owner.problems.tooSlow("the request body arrived at " + Math.round(rate) + " bytes/s; the minimum is "
                    + Math.round(owner.minBytesPerSecond) + " bytes/s"));
        }
    }

    private void arrived() {
        stopTimers();
        Callback releasing = Callback.from(callback, this::release);
        Request whole = new WholeBody(request, received == buffer.length ? buffer : Arrays.copyOf(buffer, received));
        try {
            if (!owner.getHandler().handle(whole, response, releasing)) {
                Response.writeError(whole, response, releasing, 404);
            }
        } catch (Throwable e) {
            releasing.failed(e);
        }
    }

    private void failed(Throwable failure) {
        if (failure instanceof TimeoutException) { // Jetty's idle timeout, while the body had stopped arriving
            end(owner.problems.tooSlow("the request body stopped arriving"));
        } else {
            stopTimers();
            release();
            callback.failed(failure);
        }
    }

    /** Answers with a problem before the whole body; the connection closes once the rest is discarded. */
    private void end(ProblemTypes.Mapped problem) {
        stopTimers();
        release();
        owner.refuse(this, request, response, callback, problem);
    }

    private boolean settle() {
        return settled.compareAndSet(false, true);
    }

    /** Only the ending that settled a started body gets here: its timers are set. */
    private void stopTimers() {
        graceEnd.cancel();
        deadline.cancel();
        owner.ended();
    }

    private synchronized boolean reserve(int more) {
        if (released || !owner.budget.tryAcquire(more)) {
            return false;
        }
        reserved += more;
        return true;
    }

    /**
     * Gives the reserved memory back; once, whichever path ends the request. The buffer itself
     * goes with the request: a deadline may settle the body while a read is still copying into it.
     */
    private synchronized void release() {
        if (!released) {
            released = true;
            owner.budget.release(reserved);
        }
    }

    /** The request as the servlet layer reads it: the body, whole, from memory. */
    private static final class WholeBody extends Request.Wrapper {
        private final long length;
        private Content.Chunk chunk;

        WholeBody(Request request, byte[] body) {
            super(request);
            setAttribute(BodyBuffering.BODY, body);
            this.length = body.length;
            this.chunk = Content.Chunk.from(ByteBuffer.wrap(body), true);
        }

        @Override
        public Content.Chunk read() {
            Content.Chunk next = chunk;
            chunk = Content.Chunk.EOF;
            return next;
        }

        @Override
        public void demand(Runnable demandCallback) {
            demandCallback.run();
        }

        @Override
        public long getLength() {
            return length;
        }
    }
}
