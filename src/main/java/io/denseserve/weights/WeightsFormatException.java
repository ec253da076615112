package io.denseserve.weights;

import java.io.IOException;

/**
 * A weights file that cannot be used: unreadable, truncated, corrupt, of an unknown format, or not
 * matching the model (a missing or unexpected key, a shape mismatch). The message names the file
 * and the problem so an operator can act on it without a debugger.
 */
public class WeightsFormatException extends IOException {

    public WeightsFormatException(String message) {
        super(message);
    }

    public WeightsFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
