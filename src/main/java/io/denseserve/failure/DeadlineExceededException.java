package io.denseserve.failure;

/** The request's deadline passed before its result was ready; it was dropped before inference if it had not started. */
public class DeadlineExceededException extends RuntimeException {
    public DeadlineExceededException(String message) {
        super(message);
    }
}
