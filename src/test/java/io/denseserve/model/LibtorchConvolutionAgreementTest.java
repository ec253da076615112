package io.denseserve.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.GradientCollector;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * libtorch's fp32 convolutions, as this build runs them (with the environment its profiles set,
 * see {@link io.denseserve.plan.OneDnnCaches}), agree with float64 ones (which do not go through oneDNN): the output,
 * the input gradient and the weight gradient, on DenseNet-BC's shapes with few channels, the ones
 * oneDNN got wrong on a CPU that reports no cache sizes (differences of 2-4 where the values reach
 * 5-7, and NaN). fp32's own rounding stays near a millionth of the largest value here.
 */
class LibtorchConvolutionAgreementTest {

    private static final int BATCH = 64;

    @ParameterizedTest(name = "{0} -> {1} channels, {2}x{2} kernel, {3}x{3}")
    @CsvSource({"24, 6, 3, 28", "48, 12, 3, 28", "48, 12, 3, 14", "64, 32, 3, 14", "12, 48, 1, 28"})
    void fp32AgreesWithFloat64(int in, int out, int kernel, int side) {
        Random random = new Random(in * 1000L + out);
        float[] x = gaussian(random, BATCH * in * side * side, 1);
        float[] w = gaussian(random, out * in * kernel * kernel, 0.1f);
        float[] dy = gaussian(random, BATCH * out * side * side, 1);
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            NDList fp32 = convolve(manager, DataType.FLOAT32, x, w, dy, in, out, kernel, side);
            NDList fp64 = convolve(manager, DataType.FLOAT64, x, w, dy, in, out, kernel, side);
            String[] names = {"output", "input gradient", "weight gradient"};
            for (int i = 0; i < names.length; i++) {
                float[] actual = fp32.get(i).toFloatArray();
                float[] expected = fp64.get(i).toType(DataType.FLOAT32, false).toFloatArray();
                double scale = 0;
                double worst = 0;
                for (int j = 0; j < expected.length; j++) {
                    scale = Math.max(scale, Math.abs(expected[j]));
                    double difference = Math.abs((double) actual[j] - expected[j]);
                    worst = Double.isNaN(difference) ? Double.POSITIVE_INFINITY : Math.max(worst, difference);
                }
                assertThat(worst).as("%s: largest difference from float64 (its largest magnitude %.3f)", names[i], scale)
                        .isLessThanOrEqualTo(1e-4 * scale);
            }
        }
    }

    /** Output, input gradient and weight gradient of a padded, stride-1 convolution, in {@code type}. */
    private static NDList convolve(NDManager parent, DataType type, float[] x, float[] w, float[] dy, int in, int out,
            int kernel, int side) {
        NDManager manager = parent.newSubManager();
        NDArray input = manager.create(x, new Shape(BATCH, in, side, side)).toType(type, false);
        NDArray weight = manager.create(w, new Shape(out, in, kernel, kernel)).toType(type, false);
        NDArray upstream = manager.create(dy, new Shape(BATCH, out, side, side)).toType(type, false);
        input.setRequiresGradient(true);
        weight.setRequiresGradient(true);
        NDArray output;
        try (GradientCollector collector = Engine.getEngine("PyTorch").newGradientCollector()) {
            int padding = kernel / 2;
            output = Conv2d.conv2d(input, weight, null, new Shape(1, 1), new Shape(padding, padding), new Shape(1, 1), 1)
                    .singletonOrThrow();
            collector.backward(output.mul(upstream).sum());
        }
        return new NDList(output.stopGradient(), input.getGradient(), weight.getGradient());
    }

    private static float[] gaussian(Random random, int n, float scale) {
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = (float) random.nextGaussian() * scale;
        }
        return values;
    }
}
