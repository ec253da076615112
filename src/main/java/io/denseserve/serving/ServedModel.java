package io.denseserve.serving;

import io.denseserve.bundle.BundleManifest;
import io.denseserve.explain.ClassActivationMaps;
import io.denseserve.inference.BatchingPredictor;
import io.denseserve.plan.InferencePlan;
import io.denseserve.preprocess.ImagePreprocessor;

/**
 * A model that is loaded, warmed and taking requests: its manifest, its preprocessing, its
 * parameter count, the plan that runs it, the predictor pool in front of the plan, and its
 * classifier's weights for class activation maps.
 */
public record ServedModel(BundleManifest manifest, long parameterCount, String device,
        ImagePreprocessor preprocessor, BatchingPredictor predictor, InferencePlan plan,
        ClassActivationMaps activationMaps) {

    public String name() {
        return manifest.name();
    }
}
