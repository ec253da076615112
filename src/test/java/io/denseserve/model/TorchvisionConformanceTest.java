package io.denseserve.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.denseserve.testing.TorchvisionFixtures;
import io.denseserve.weights.HostTensor;
import io.denseserve.weights.SafetensorsFormat;
import io.denseserve.weights.StateDict;
import io.denseserve.weights.StateDictLoader;
import io.denseserve.weights.WeightsFiles;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Our DenseNet (the reference definition), loaded from each weights format torchvision's state_dict
 * can be saved in, must compute torchvision's logits to within 1e-4 on a batch of 8 and a
 * non-square image, with mixed-sign batch-norm scales. The serving plans are held to the same in
 * {@code PlanConformanceTest}.
 */
class TorchvisionConformanceTest {

    static final double TOLERANCE = 1e-4;
    static final List<String> FORMATS =
            List.of("weights.safetensors", "weights.npz", "weights.pth", "weights-legacy.pth");

    static Stream<Arguments> modelsAndFormats() {
        List<Arguments> cases = new ArrayList<>();
        for (String model : TorchvisionFixtures.MODEL_NAMES) {
            for (String format : FORMATS) {
                cases.add(Arguments.of(model, format));
            }
        }
        cases.add(Arguments.of("densenet121", "weights-legacy-names.pth"));
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} from {1}")
    @MethodSource("modelsAndFormats")
    void matchesTorchvisionLogits(String model, String format) throws Exception {
        Path dir = TorchvisionFixtures.models().resolve(model);
        StateDict io = SafetensorsFormat.read(dir.resolve("io.safetensors"));
        DenseNet net = DenseNet.of(TorchvisionFixtures.config(model));
        try (NDManager manager = NDManager.newBaseManager()) {
            net.initialize(manager, DataType.FLOAT32, new Shape(io.get("x0").shape()));
            StateDictLoader.load(net, WeightsFiles.read(dir.resolve(format)));
            ParameterStore store = new ParameterStore(manager, false);
            for (String i : List.of("0", "1")) {
                HostTensor x = io.get("x" + i);
                HostTensor expected = io.get("y" + i);
                NDArray input = manager.create(FloatBuffer.wrap(x.values()), new Shape(x.shape()));
                NDArray logits = net.forward(store, new NDList(input), false).singletonOrThrow();
                assertThat(logits.getShape().getShape()).isEqualTo(expected.shape());
                assertThat(maxAbsDiff(logits.toFloatArray(), expected.values()))
                        .as("%s %s x%s: max |java - torchvision|", model, format, i)
                        .isLessThanOrEqualTo(TOLERANCE);
            }
        }
    }

    static double maxAbsDiff(float[] a, float[] b) {
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs((double) a[i] - b[i]));
        }
        return max;
    }
}
