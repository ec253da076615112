package io.denseserve.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.training.initializer.NormalInitializer;
import io.denseserve.weights.StateDictLoader;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The lean path (buffer, folds) computes what the plain concatenating path computes, including
 * BatchNorm scales of both signs (the torchvision fixtures only have positive ones), for one image
 * (native batch_norm on a contiguous view) and several (broadcast arithmetic on a strided view).
 */
class LeanForwardTest {

    @ParameterizedTest
    @ValueSource(ints = {1, 3})
    void leanEqualsConcatWithMixedSignBatchNormScales(int batch) throws Exception {
        leanEqualsConcat(batch, new NormalInitializer(0.5f)); // negative and positive: the plain order
    }

    /** Every scale positive: dense layers and transitions take the {@link ClippedConv} form. */
    @ParameterizedTest
    @ValueSource(ints = {1, 3})
    void leanEqualsConcatWithPositiveBatchNormScales(int batch) throws Exception {
        leanEqualsConcat(batch, (manager, shape, type) -> manager.randomUniform(0.2f, 1.8f, shape, type));
    }

    private static void leanEqualsConcat(int batch, Initializer gamma) throws Exception {
        DenseNetConfig config = DenseNetConfig.bc(16, 6, 3, 5);
        try (NDManager manager = NDManager.newBaseManager()) {
            manager.getEngine().setRandomSeed(7);
            DenseNet plain = DenseNet.of(config, ForwardMode.CONCAT);
            plain.setInitializer(gamma, Parameter.Type.GAMMA);
            plain.setInitializer(new NormalInitializer(0.1f), Parameter.Type.BETA);
            plain.initialize(manager, DataType.FLOAT32, new Shape(batch, 3, 20, 20));
            DenseNet lean = DenseNet.of(config, ForwardMode.LEAN);
            lean.initialize(manager, DataType.FLOAT32, new Shape(batch, 3, 20, 20));
            StateDictLoader.load(lean, StateDictLoader.export(plain, Map.of()));
            lean.fuseForInference();
            NDArray x = manager.randomNormal(new Shape(batch, 3, 20, 20));
            ParameterStore store = new ParameterStore(manager, false);
            float[] expected = plain.forward(store, new NDList(x), false).singletonOrThrow().toFloatArray();
            float[] actual = lean.forward(store, new NDList(x), false).singletonOrThrow().toFloatArray();
            assertThat(actual).containsExactly(expected, org.assertj.core.data.Offset.offset(1e-4f));
            double largest = 0;
            for (float v : expected) {
                largest = Math.max(largest, Math.abs(v));
            }
            assertThat(largest).as("outputs are not trivially zero").isGreaterThan(1e-3);
        }
    }
}
