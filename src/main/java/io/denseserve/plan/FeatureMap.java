package io.denseserve.plan;

/**
 * One image's last feature maps, what the classifier pools: {@code relu(norm5(features))}, {@code
 * channels x height x width} floats in CHW order. A class activation map is these weighted by one
 * row of the classifier.
 */
public record FeatureMap(int channels, int height, int width, float[] values) {

    public FeatureMap {
        if (values.length != channels * height * width) {
            throw new IllegalArgumentException(values.length + " values for " + channels + "x" + height + "x" + width);
        }
    }
}
