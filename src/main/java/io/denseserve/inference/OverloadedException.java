package io.denseserve.inference;

/** The request queue is full: the client should retry later (HTTP 503 with Retry-After). */
public class OverloadedException extends RuntimeException {
    public OverloadedException(String message) {
        super(message);
    }
}
