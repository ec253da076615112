package io.denseserve.serving;

import io.denseserve.inference.InferenceMetrics;
import io.denseserve.inference.InferenceMetrics.Outcome;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Locale;
import org.springframework.stereotype.Component;

/**
 * The request metrics of the served model, for every part of the request path that records them
 * (the web filters, the problem handler, the classification service). Before a model is served
 * (loading, or failed to load) outcomes are still counted, under {@code model="none"}.
 */
@Component
public class RequestMetrics {

    static final String NO_MODEL = "none";

    private final MeterRegistry registry;
    private volatile InferenceMetrics served;

    public RequestMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /** The metrics of the model now served; every later recording goes to them. */
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
            registry.counter(InferenceMetrics.REQUESTS, "model", NO_MODEL, "outcome", outcome.name().toLowerCase(Locale.ROOT),
                    "protocol", protocol.name().toLowerCase(Locale.ROOT)).increment();
        }
    }

    /** Decoding and preprocessing time of one image (only ever recorded for a served model). */
    public void recordPreprocess(long nanos) {
        served.recordPreprocess(nanos);
    }

    /** Time of a request that produced a classification (only ever recorded for a served model). */
    public void recordTotal(long nanos) {
        served.recordTotal(nanos);
    }
}
