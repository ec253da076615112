package io.denseserve.serving;

import io.denseserve.inference.InferenceMetrics;
import io.denseserve.inference.InferenceMetrics.Outcome;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Locale;
import org.springframework.stereotype.Component;

/**
 * Counts the outcomes of requests that failed before reaching a model (the web filters, the problem
 * handler), under the default model's latest version; with none (loading, failed to load, or
 * several models and none the default) under {@code model="none", version="none"}. What a model computed is counted by its own
 * {@link InferenceMetrics}.
 */
@Component
public class RequestMetrics {

    static final String NO_MODEL = "none";

    private final MeterRegistry registry;
    private volatile InferenceMetrics served;

    public RequestMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /** The default model's metrics, or null; every later count goes to them. */
    void serve(InferenceMetrics metrics) {
        this.served = metrics;
    }

    /** Counts one classification request's outcome, from HTTP. */
    public void count(Outcome outcome) {
        count(outcome, InferenceMetrics.Protocol.REST);
    }

    /** Counts one classification request's outcome. */
    public void count(Outcome outcome, InferenceMetrics.Protocol protocol) {
        InferenceMetrics metrics = served;
        if (metrics != null) {
            metrics.count(outcome, protocol);
        } else {
            registry.counter(InferenceMetrics.REQUESTS, "model", NO_MODEL, "version", NO_MODEL,
                    "outcome", outcome.name().toLowerCase(Locale.ROOT),
                    "protocol", protocol.name().toLowerCase(Locale.ROOT)).increment();
        }
    }
}
