package io.denseserve.web;

import jakarta.servlet.http.HttpServletRequest;
import java.util.List;
import java.util.Objects;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.context.ApplicationContext;
import org.springframework.http.server.PathContainer;
import org.springframework.stereotype.Component;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;
import org.springframework.web.util.pattern.PathPattern;

/**
 * Which requests are classifications: those whose path matches a mapping of a handler method
 * marked {@link Classification}, read from Spring MVC's own mappings once every bean exists (the
 * server accepts no request before). The one answer for everything that treats them apart (early
 * refusal, outcome counting).
 */
@Component
public class ClassificationRequests implements SmartInitializingSingleton {

    private final ApplicationContext context;
    private volatile List<PathPattern> patterns = List.of();

    ClassificationRequests(ApplicationContext context) {
        this.context = context;
    }

    @Override
    public void afterSingletonsInstantiated() {
        patterns = context.getBeansOfType(RequestMappingHandlerMapping.class).values().stream()
                .flatMap(mapping -> mapping.getHandlerMethods().entrySet().stream())
                .filter(handler -> handler.getValue().hasMethodAnnotation(Classification.class))
                .flatMap(handler -> Objects.requireNonNull(handler.getKey().getPathPatternsCondition(),
                        "classifications are matched by Spring MVC's parsed path patterns, its default").getPatterns().stream())
                .distinct()
                .toList();
    }

    public boolean matches(HttpServletRequest request) {
        return matches(request.getRequestURI().substring(request.getContextPath().length()));
    }

    /** @param path the request's path within the context */
    boolean matches(String path) {
        PathContainer container = PathContainer.parsePath(path);
        return patterns.stream().anyMatch(pattern -> pattern.matches(container));
    }

    /** An Open Inference Protocol request: its errors are {@code {"error": ...}}, not problem JSON. */
    static boolean isOpenInference(String path) {
        return path.startsWith("/v2/");
    }
}
