package io.denseserve.plan;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.denseserve.fold.FoldedDenseNet;
import io.denseserve.model.DenseNet;
import io.denseserve.model.DenseNetConfig;
import io.denseserve.testing.SeededWeights;
import io.denseserve.testing.TorchvisionFixtures;
import io.denseserve.weights.HostTensor;
import io.denseserve.weights.SafetensorsFormat;
import io.denseserve.weights.StateDict;
import io.denseserve.weights.StateDictLoader;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every engine's plan computes torchvision's logits, and our reference network's, to within 1e-4,
 * for the four ImageNet DenseNets and a DenseNet-BC whose batch norms have mixed-sign (and some
 * zero) scales, on a batch of 8 and on one non-square image, with what only opening passes needs
 * already freed.
 */
class PlanConformanceTest {

    static final double TOLERANCE = 1e-4;

    @ParameterizedTest(name = "{0} on {1}")
    @MethodSource("io.denseserve.testing.TorchvisionFixtures#modelsAndEngines")
    void matchesTorchvisionLogits(String model, InferenceEngine engine) throws Exception {
        Path dir = TorchvisionFixtures.models().resolve(model);
        StateDict io = SafetensorsFormat.read(dir.resolve("io.safetensors"));
        StateDict weights = SafetensorsFormat.read(dir.resolve("weights.safetensors"));
        for (String i : List.of("0", "1")) {
            HostTensor x = io.get("x" + i);
            HostTensor expected = io.get("y" + i);
            long[] s = x.shape();
            int[] imageShape = {(int) s[1], (int) s[2], (int) s[3]};
            DenseNetConfig config = TorchvisionFixtures.config(model);
            try (InferencePlan plan = PlanCompiler.compile(FoldedDenseNet.of(config, weights), engine, Device.cpu(), Precision.FP32, imageShape, 2);
                    ForwardPass pass = plan.open()) {
                float[][] logits = pass.logits(TorchvisionFixtures.images(x));
                assertThat(logits.length).isEqualTo((int) expected.shape()[0]);
                assertThat(SeededWeights.maxAbsDiff(logits, expected.values()))
                        .as("%s on %s, x%s (%s): max |plan - torchvision|", model, engine, i, x.shapeText())
                        .isLessThanOrEqualTo(TOLERANCE);
                assertThat(SeededWeights.maxAbsDiff(logits, reference(config, weights, x)))
                        .as("%s on %s, x%s: max |plan - reference|", model, engine, i)
                        .isLessThanOrEqualTo(TOLERANCE);
                pass.idle(); // as a worker's pass is told once it idles out: it must answer the same after
                assertThat(pass.logits(TorchvisionFixtures.images(x))).as("%s on %s after idle", model, engine)
                        .isDeepEqualTo(logits);
            }
        }
    }

    /** Our DenseNet's own forward pass: the definition the plans are compiled from. */
    static float[] reference(DenseNetConfig config, StateDict weights, HostTensor x) throws Exception {
        try (NDManager manager = NDManager.newBaseManager()) {
            DenseNet net = DenseNet.of(config);
            net.initialize(manager, DataType.FLOAT32, new Shape(x.shape()));
            StateDictLoader.load(net, weights);
            NDArray input = manager.create(x.values(), new Shape(x.shape()));
            return net.forward(new ParameterStore(manager, false), new NDList(input), false).singletonOrThrow().toFloatArray();
        }
    }
}
