package io.denseserve.web;

import jakarta.servlet.http.HttpServletRequest;
import org.springframework.http.HttpHeaders;

/** Whether a request has a body: a positive Content-Length, or a chunked one. */
final class RequestBodies {

    private RequestBodies() {}

    static boolean present(HttpServletRequest request) {
        long declared = request.getContentLengthLong();
        return declared > 0 || (declared < 0 && request.getHeader(HttpHeaders.TRANSFER_ENCODING) != null);
    }
}
