package io.denseserve.inference;

import io.denseserve.plan.FeatureMap;

/**
 * What inference returns for one image.
 *
 * @param probabilities softmax over the model's classes
 * @param features the image's last feature maps, when the submitter asked for them; else {@code null}
 * @param queueNanos time from enqueue to the start of its batch's forward pass
 * @param inferenceNanos the batch's forward pass, shared by every image in it
 * @param batchSize how many images the batch held
 */
public record InferenceResult(float[] probabilities, FeatureMap features, long queueNanos, long inferenceNanos,
        int batchSize) {}
