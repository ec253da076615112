package io.denseserve.web;

import jakarta.servlet.ServletRequest;

/** Request bodies as {@link BodyBuffering} read them, whole, before the request reached the servlet layer. */
public final class RequestBodies {

    private RequestBodies() {}

    /** The body, without a copy (the caller must not modify it), or {@code null} where there was none. */
    public static byte[] of(ServletRequest request) {
        return (byte[]) request.getAttribute(BodyBuffering.BODY);
    }
}
