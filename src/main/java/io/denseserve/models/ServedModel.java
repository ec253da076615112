package io.denseserve.models;

import ai.djl.Model;
import io.denseserve.bundle.BundleManifest;
import io.denseserve.inference.BatchingPredictor;
import io.denseserve.preprocess.ImagePreprocessor;

/**
 * A model that is loaded, warmed and taking requests: its manifest, its preprocessing, its
 * parameter count, and the predictor pool that runs it.
 */
public record ServedModel(BundleManifest manifest, long parameterCount, String device,
        ImagePreprocessor preprocessor, BatchingPredictor predictor, Model djlModel) {

    public String name() {
        return manifest.name();
    }
}
