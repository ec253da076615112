package io.denseserve.explain;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import io.denseserve.fold.FoldedDenseNet;
import io.denseserve.model.DenseNetConfig;
import io.denseserve.plan.FeatureMap;
import io.denseserve.plan.ForwardOutput;
import io.denseserve.plan.ForwardPass;
import io.denseserve.plan.InferenceEngine;
import io.denseserve.plan.InferencePlan;
import io.denseserve.plan.PlanCompiler;
import io.denseserve.plan.Precision;
import io.denseserve.testing.TorchvisionFixtures;
import io.denseserve.weights.HostTensor;
import io.denseserve.weights.SafetensorsFormat;
import io.denseserve.weights.StateDict;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Class activation maps from every engine's feature maps equal torchvision's (the top class's row
 * of the classifier over {@code relu(features(x))}) within 1e-4, at the feature maps' resolution and
 * upsampled to the input as {@code F.interpolate(bilinear, align_corners=False)} does; and each
 * map's mean plus the class's bias is the class's logit.
 */
class ClassActivationMapConformanceTest {

    static final double TOLERANCE = 1e-4;

    @ParameterizedTest(name = "{0} on {1}")
    @MethodSource("io.denseserve.testing.TorchvisionFixtures#modelsAndEngines")
    void matchesTorchvision(String model, InferenceEngine engine) throws Exception {
        Path dir = TorchvisionFixtures.models().resolve(model);
        StateDict io = SafetensorsFormat.read(dir.resolve("io.safetensors"));
        StateDict weights = SafetensorsFormat.read(dir.resolve("weights.safetensors"));
        HostTensor x = io.get("x0");
        long[] s = x.shape();
        int images = (int) s[0];
        int size = (int) s[2];
        HostTensor classifier = weights.get("classifier.weight");
        ClassActivationMaps maps = new ClassActivationMaps(classifier.values(), (int) classifier.shape()[0],
                (int) classifier.shape()[1]);
        float[] bias = weights.get("classifier.bias").values();
        float[] expected = io.get("cam0").values();
        float[] expectedUp = io.get("cam0_up").values();
        float[] classes = io.get("cam0_class").values();
        DenseNetConfig config = TorchvisionFixtures.config(model);
        try (InferencePlan plan = PlanCompiler.compile(FoldedDenseNet.of(config, weights), engine, Device.cpu(), Precision.FP32,
                        new int[] {(int) s[1], size, size}, 2);
                ForwardPass pass = plan.open()) {
            ForwardOutput output = pass.forward(TorchvisionFixtures.images(x), true);
            int cells = expected.length / images;
            for (int i = 0; i < images; i++) {
                int c = (int) classes[i];
                FeatureMap features = output.features()[i];
                ClassActivationMap map = maps.of(features, c);
                assertThat(map.values()).hasSize(cells);
                assertThat(maxAbsDiff(map.values(), expected, i * cells))
                        .as("%s on %s, image %d, class %d: max |map - torchvision's|", model, engine, i, c)
                        .isLessThanOrEqualTo(TOLERANCE);
                assertThat(maxAbsDiff(map.upsampled(size), expectedUp, i * size * size))
                        .as("%s on %s, image %d: max |upsampled map - F.interpolate|", model, engine, i)
                        .isLessThanOrEqualTo(TOLERANCE);
                double mean = 0;
                for (float v : map.values()) {
                    mean += v;
                }
                mean /= cells;
                assertThat(mean + bias[c]).as("%s on %s, image %d: mean of the map + bias = logit", model, engine, i)
                        .isCloseTo(output.logits()[i][c], org.assertj.core.data.Offset.offset(TOLERANCE));
            }
        }
    }

    private static double maxAbsDiff(float[] actual, float[] expected, int offset) {
        double max = 0;
        for (int i = 0; i < actual.length; i++) {
            max = Math.max(max, Math.abs(actual[i] - expected[offset + i]));
        }
        return max;
    }
}
