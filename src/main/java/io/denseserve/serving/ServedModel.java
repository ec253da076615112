package io.denseserve.serving;

import io.denseserve.bundle.BundleManifest;
import io.denseserve.inference.BatchingPredictor;
import io.denseserve.plan.InferencePlan;
import io.denseserve.preprocess.ImagePreprocessor;

/**
 * A model that is loaded, warmed and taking requests: its manifest, its preprocessing, its
 * parameter count, the plan that runs it and the predictor pool in front of the plan.
 */
public record ServedModel(BundleManifest manifest, long parameterCount, String device,
        ImagePreprocessor preprocessor, BatchingPredictor predictor, InferencePlan plan) {

    public String name() {
        return manifest.name();
    }
}
