package io.denseserve.serving;

import static org.assertj.core.api.Assertions.assertThat;

import io.denseserve.inference.InferenceMetrics;
import io.denseserve.inference.InferenceMetrics.Outcome;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

/** Outcomes are counted whether or not a default model is served, under that model where there is one. */
class RequestMetricsTest {

    @Test
    void outcomesBeforeAModelIsServedCountUnderNoneThenUnderTheModel() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        RequestMetrics metrics = new RequestMetrics(registry);
        metrics.count(Outcome.ERROR);
        metrics.count(Outcome.ERROR);
        assertThat(count(registry, RequestMetrics.NO_MODEL, "error")).isEqualTo(2);

        metrics.serve(new InferenceMetrics(registry, "densenet121", "1", 8, () -> 0));
        metrics.count(Outcome.OVERLOADED);
        metrics.count(Outcome.OVERLOADED, InferenceMetrics.Protocol.GRPC);
        assertThat(count(registry, "densenet121", "overloaded")).isEqualTo(1);
        assertThat(registry.get(InferenceMetrics.REQUESTS).tag("model", "densenet121").tag("outcome", "overloaded")
                .tag("protocol", "grpc").counter().count()).as("gRPC's counted apart").isEqualTo(1);
        assertThat(count(registry, RequestMetrics.NO_MODEL, "error")).isEqualTo(2);
        metrics.serve(null);
        metrics.count(Outcome.BAD_INPUT);
        assertThat(count(registry, RequestMetrics.NO_MODEL, "bad_input")).as("no default model any more").isEqualTo(1);
    }

    private static double count(SimpleMeterRegistry registry, String model, String outcome) {
        return registry.get(InferenceMetrics.REQUESTS).tag("model", model).tag("outcome", outcome).tag("protocol", "rest")
                .counter().count();
    }
}
