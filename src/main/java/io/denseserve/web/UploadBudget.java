package io.denseserve.web;

import java.util.concurrent.atomic.AtomicLong;

/** Bytes of request bodies held at once: reserved before they are read, released when answered. */
final class UploadBudget {

    private final long capacity;
    private final AtomicLong used = new AtomicLong();

    UploadBudget(long capacity) {
        this.capacity = capacity;
    }

    /** Takes {@code bytes} if they fit; false leaves the budget unchanged. */
    boolean tryReserve(long bytes) {
        long now;
        do {
            now = used.get();
            if (now + bytes > capacity) {
                return false;
            }
        } while (!used.compareAndSet(now, now + bytes));
        return true;
    }

    void release(long bytes) {
        used.addAndGet(-bytes);
    }

    long used() {
        return used.get();
    }

    long capacity() {
        return capacity;
    }
}
