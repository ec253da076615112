package io.denseserve.web;

import jakarta.servlet.http.HttpServletRequest;
import java.util.regex.Pattern;

/**
 * Which requests are classifications: {@code /classify} and the paths under it (never
 * {@code /classifyall}), {@code /explain}, and the Open Inference Protocol's
 * {@code POST /v2/models/{name}[/versions/{v}]/infer}.
 * The one answer for every filter, interceptor and handler that treats them apart (early refusal,
 * body buffering, the shutdown drain, outcome counting).
 */
public final class ClassificationRequests {

    private static final Pattern INFER = Pattern.compile("/v2/models/[^/]+(/versions/[^/]+)?/infer");

    private ClassificationRequests() {}

    public static boolean matches(HttpServletRequest request) {
        String path = path(request);
        return path.equals("/classify") || path.startsWith("/classify/") || path.equals("/explain") || INFER.matcher(path).matches();
    }

    /** An Open Inference Protocol request: its errors are {@code {"error": ...}}, not problem JSON. */
    public static boolean isOpenInference(HttpServletRequest request) {
        return path(request).startsWith("/v2/");
    }

    private static String path(HttpServletRequest request) {
        return request.getRequestURI().substring(request.getContextPath().length());
    }
}
