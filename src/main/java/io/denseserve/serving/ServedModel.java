package io.denseserve.serving;

import io.denseserve.bundle.BundleManifest;
import io.denseserve.explain.ClassActivationMaps;
import io.denseserve.inference.BatchingPredictor;
import io.denseserve.inference.InferenceMetrics;
import io.denseserve.plan.InferencePlan;
import io.denseserve.preprocess.ImagePreprocessor;

/**
 * A model that is loaded, warmed and taking requests: its manifest, its preprocessing, its
 * parameter count, the plan that runs it, the predictor pool in front of the plan, its classifier's
 * weights for class activation maps, its metrics, and the requests using it.
 */
public record ServedModel(BundleManifest manifest, long parameterCount, String device,
        ImagePreprocessor preprocessor, BatchingPredictor predictor, InferencePlan plan,
        ClassActivationMaps activationMaps, InferenceMetrics metrics, ModelUsage usage) {

    public String name() {
        return manifest.name();
    }

    public String version() {
        return manifest.version();
    }

    /**
     * Ends one request's use of this model, taken by {@link ModelService#acquire}: after it, the
     * model may be freed if it has been replaced.
     */
    public void release() {
        usage.release();
    }
}
