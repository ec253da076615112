package io.denseserve.failure;

/**
 * The service is at its limit: the client should retry later (HTTP 503 with Retry-After).
 *
 * <p>Carries no stack trace: it is flow control, thrown hundreds of times a second under overload
 * and never logged, so walking the deep servlet stack for each refusal would only spend CPU that
 * the accepted requests need.
 */
public class OverloadedException extends RuntimeException {
    public OverloadedException(String message) {
        super(message, null, false, false);
    }
}
