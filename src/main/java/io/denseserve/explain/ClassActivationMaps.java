package io.denseserve.explain;

import io.denseserve.plan.FeatureMap;

/** A served model's classifier weights, kept to turn an image's feature maps into class activation maps. */
public final class ClassActivationMaps {

    private final float[] weight;
    private final int classes;
    private final int channels;

    /**
     * @param weight the classifier's {@code (classes, channels)} weight, row-major, as in the checkpoint
     */
    public ClassActivationMaps(float[] weight, int classes, int channels) {
        if (weight.length != classes * channels) {
            throw new IllegalArgumentException(weight.length + " classifier weights for " + classes + " x " + channels);
        }
        this.weight = weight.clone();
        this.classes = classes;
        this.channels = channels;
    }

    public int classes() {
        return classes;
    }

    /** Class {@code classIndex}'s map over these feature maps. */
    public ClassActivationMap of(FeatureMap features, int classIndex) {
        if (classIndex < 0 || classIndex >= classes) {
            throw new IllegalArgumentException("class " + classIndex + " does not exist; the model has classes 0 to "
                    + (classes - 1));
        }
        if (features.channels() != channels) {
            throw new IllegalArgumentException(features.channels() + " feature channels; the classifier reads " + channels);
        }
        int positions = features.height() * features.width();
        double[] sums = new double[positions];
        float[] values = features.values();
        for (int k = 0; k < channels; k++) {
            double w = weight[classIndex * channels + k];
            int base = k * positions;
            for (int p = 0; p < positions; p++) {
                sums[p] += w * values[base + p];
            }
        }
        float[] map = new float[positions];
        for (int p = 0; p < positions; p++) {
            map[p] = (float) sums[p];
        }
        return new ClassActivationMap(classIndex, features.height(), features.width(), map);
    }
}
