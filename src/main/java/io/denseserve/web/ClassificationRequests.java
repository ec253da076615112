package io.denseserve.web;

import jakarta.servlet.http.HttpServletRequest;

/** Which requests are classifications: {@code /classify} and the paths under it, never {@code /classifyall}. */
public final class ClassificationRequests {

    private ClassificationRequests() {}

    public static boolean matches(HttpServletRequest request) {
        String path = request.getRequestURI().substring(request.getContextPath().length());
        return path.equals("/classify") || path.startsWith("/classify/");
    }
}
