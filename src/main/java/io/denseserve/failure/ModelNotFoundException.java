package io.denseserve.failure;

/** No loaded model has this name (HTTP 404). */
public class ModelNotFoundException extends RuntimeException {
    public ModelNotFoundException(String name) {
        super("no model named '" + name + "' is loaded");
    }
}
