package io.denseserve.failure;

/** The forward pass of a batch failed; every request in that batch gets this, the worker goes on. */
public class InferenceFailedException extends RuntimeException {
    public InferenceFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
