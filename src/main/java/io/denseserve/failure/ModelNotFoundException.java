package io.denseserve.failure;

/** No loaded model has the name or version asked for (HTTP 404). */
public class ModelNotFoundException extends RuntimeException {
    public ModelNotFoundException(String message) {
        super(message);
    }
}
