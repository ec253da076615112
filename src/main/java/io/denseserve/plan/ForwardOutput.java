package io.denseserve.plan;

/**
 * What one forward pass of a batch returns.
 *
 * @param logits one row per image
 * @param features one per image when the pass was asked for them, else {@code null}
 */
public record ForwardOutput(float[][] logits, FeatureMap[] features) {}
