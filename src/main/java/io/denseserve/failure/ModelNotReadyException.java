package io.denseserve.failure;

/** The model is still loading or warming up, or failed to load (HTTP 503). */
public class ModelNotReadyException extends RuntimeException {
    public ModelNotReadyException(String message) {
        super(message);
    }
}
