package io.denseserve.web;

import jakarta.servlet.http.HttpServletRequest;

/**
 * Which requests are classifications: {@code /classify} and the paths under it, never
 * {@code /classifyall}. The one answer for every filter, interceptor and handler that treats them
 * apart (early refusal, body buffering, the shutdown drain, outcome counting).
 */
public final class ClassificationRequests {

    private ClassificationRequests() {}

    public static boolean matches(HttpServletRequest request) {
        String path = request.getRequestURI().substring(request.getContextPath().length());
        return path.equals("/classify") || path.startsWith("/classify/");
    }
}
