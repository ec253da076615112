package io.denseserve.web;

import jakarta.servlet.http.HttpServletRequest;
import java.util.regex.Pattern;

/**
 * Which requests are classifications: {@code /classify} and the paths under it (never
 * {@code /classifyall}), {@code /explain}, and the Open Inference Protocol's
 * {@code POST /v2/models/{name}[/versions/{v}]/infer}.
 * The one answer for everything that treats them apart (early refusal, body limits, outcome
 * counting).
 */
public final class ClassificationRequests {

    private static final Pattern INFER = Pattern.compile("/v2/models/[^/]+(/versions/[^/]+)?/infer");

    private ClassificationRequests() {}

    public static boolean matches(HttpServletRequest request) {
        return matches(path(request));
    }

    static boolean matches(String path) {
        return path.equals("/classify") || path.startsWith("/classify/") || path.equals("/explain") || INFER.matcher(path).matches();
    }

    /** An Open Inference Protocol request: its errors are {@code {"error": ...}}, not problem JSON. */
    static boolean isOpenInference(String path) {
        return path.startsWith("/v2/");
    }

    private static String path(HttpServletRequest request) {
        return request.getRequestURI().substring(request.getContextPath().length());
    }
}
