package io.denseserve.failure;

/**
 * An upload that cannot be classified, with the reason a client can act on. The web layer maps
 * each reason to an HTTP status and an RFC 9457 problem type.
 */
public class ImageRejectedException extends RuntimeException {

    /** Why an image was rejected. */
    public enum Reason {
        /** No bytes at all. */
        EMPTY,
        /** The bytes are not an image in any format we decode. */
        NOT_AN_IMAGE,
        /** A known format whose data ends early or is corrupt. */
        CORRUPT,
        /** The declared content type is not an image type we accept. */
        UNSUPPORTED_MEDIA_TYPE,
        /** More bytes than the configured limit. */
        TOO_MANY_BYTES,
        /** Width x height over the configured limit, decided from the header before decoding. */
        TOO_MANY_PIXELS
    }

    private final Reason reason;

    public ImageRejectedException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
