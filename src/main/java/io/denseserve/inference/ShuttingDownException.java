package io.denseserve.inference;

/** The service received SIGTERM and is draining: new classifications are refused, those in flight finish. */
public class ShuttingDownException extends RuntimeException {
    public ShuttingDownException(String message) {
        super(message);
    }
}
