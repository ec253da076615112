package io.denseserve.serving;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The requests using one served model, so that a model replaced or unloaded is freed only once the
 * last request that took it is answered, and no request takes it after that. A request that finds
 * it retired looks the model up again and gets its successor. (A {@code Phaser} or a read-write
 * lock would block the retiring thread or the requests; this never blocks a request.)
 */
final class ModelUsage {

    /** Requests holding the model; {@link Integer#MIN_VALUE} added once it is retired. */
    private final AtomicInteger users = new AtomicInteger();
    private final CompletableFuture<Void> idle = new CompletableFuture<>();

    /** Takes the model for one request: false once it is retired. */
    boolean acquire() {
        while (true) {
            int n = users.get();
            if (n < 0) {
                return false;
            }
            if (users.compareAndSet(n, n + 1)) {
                return true;
            }
        }
    }

    /** Gives back what {@link #acquire} took. */
    void release() {
        if (users.decrementAndGet() == Integer.MIN_VALUE) {
            idle.complete(null);
        }
    }

    /** No request takes the model any more; completes when the last that did has released it. */
    CompletableFuture<Void> retire() {
        if (users.getAndAdd(Integer.MIN_VALUE) == 0) {
            idle.complete(null);
        }
        return idle;
    }
}
