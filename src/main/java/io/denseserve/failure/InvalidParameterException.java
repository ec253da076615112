package io.denseserve.failure;

/** A request parameter that is well-formed but names something that does not exist, such as a class index beyond the model's. */
public class InvalidParameterException extends RuntimeException {

    public InvalidParameterException(String message) {
        super(message);
    }
}
