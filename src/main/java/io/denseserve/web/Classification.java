package io.denseserve.web;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a handler method that classifies images. Its mappings' paths are what
 * {@link ClassificationRequests} matches: such a request is refused before its body is read while
 * admission is saturated, and its outcome is counted in {@code denseserve_requests_total}.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface Classification {
}
