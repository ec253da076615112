package io.denseserve.classify;

import io.denseserve.inference.OverloadedException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.stereotype.Component;
import org.springframework.web.servlet.HandlerInterceptor;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * Refuses a classification with 503 before its body is read when no admission permit is free. At
 * several times the saturation rate most requests are refused, so their cost is what the CPU
 * spends on refusals instead of on the accepted ones: here that is no body copy, no argument
 * binding, no decode. The permit itself is still taken in {@link ClassificationService}, so this
 * is only a fast path, never the limit.
 */
@Component
class EarlyRefusal implements HandlerInterceptor, WebMvcConfigurer {

    private final ClassificationService service;

    EarlyRefusal(ClassificationService service) {
        this.service = service;
    }

    @Override
    public void addInterceptors(InterceptorRegistry registry) {
        registry.addInterceptor(this).addPathPatterns("/classify", "/classify/**");
    }

    @Override
    public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler) {
        if (service.saturated()) {
            throw new OverloadedException("too many classifications in flight; retry shortly");
        }
        return true;
    }
}
