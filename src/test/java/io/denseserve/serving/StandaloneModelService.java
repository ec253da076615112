package io.denseserve.serving;

import io.denseserve.config.DenseServeProperties;
import io.micrometer.core.instrument.MeterRegistry;

/** The service's {@link ModelService} outside Spring, for benchmarks that drive its predictor pool directly. */
public final class StandaloneModelService {

    private StandaloneModelService() {}

    public static ModelService create(DenseServeProperties properties, MeterRegistry registry) {
        return new ModelService(properties, registry, new RequestMetrics(registry));
    }
}
