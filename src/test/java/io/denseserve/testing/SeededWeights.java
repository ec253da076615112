package io.denseserve.testing;

import io.denseserve.model.DenseNetConfig;
import io.denseserve.model.DenseNetLayout;
import io.denseserve.weights.HostTensor;
import io.denseserve.weights.StateDict;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/** Weights of a configuration's shapes, seeded: variances positive, everything else N(0, scale), scales of both signs. */
public final class SeededWeights {

    private SeededWeights() {}

    public static StateDict of(DenseNetConfig config, long seed, double scale) {
        Random random = new Random(seed);
        Map<String, HostTensor> tensors = new LinkedHashMap<>();
        DenseNetLayout.of(config).shapes().forEach((key, shape) -> {
            float[] values = new float[(int) Arrays.stream(shape).reduce(1, (a, b) -> a * b)];
            for (int i = 0; i < values.length; i++) {
                double g = random.nextGaussian() * scale;
                values[i] = (float) (key.endsWith("running_var") ? 0.5 + Math.abs(g) : g);
            }
            tensors.put(key, new HostTensor(shape, values, "F32"));
        });
        return new StateDict(tensors);
    }

    /** The largest difference between rows of values and the same values laid out flat. */
    public static double maxAbsDiff(float[][] rows, float[] flat) {
        double max = 0;
        int k = 0;
        for (float[] row : rows) {
            for (float v : row) {
                max = Math.max(max, Math.abs((double) v - flat[k++]));
            }
        }
        return max;
    }
}
