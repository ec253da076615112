package io.denseserve.openinference;

import org.springframework.http.HttpStatus;

/** A request the protocol refuses, with the status and the message for its {@code {"error": ...}} body. */
class InferenceProtocolException extends RuntimeException {

    private final HttpStatus status;

    InferenceProtocolException(HttpStatus status, String message) {
        super(message, null, false, false);
        this.status = status;
    }

    static InferenceProtocolException badRequest(String message) {
        return new InferenceProtocolException(HttpStatus.BAD_REQUEST, message);
    }

    HttpStatus status() {
        return status;
    }
}
