package io.denseserve.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class DenseNetArchitectureTest {

    /** torchvision's {@code sum(p.numel() for p in model.parameters())} for each builder. */
    @ParameterizedTest
    @CsvSource({"densenet121, 7978856", "densenet161, 28681000", "densenet169, 14149480", "densenet201, 20013928"})
    void parameterCountEqualsTorchvision(String name, long expected) {
        DenseNet net = DenseNet.of(DenseNetVariant.of(name).config());
        try (NDManager manager = NDManager.newBaseManager()) {
            net.initialize(manager, DataType.FLOAT32, new Shape(1, 3, 224, 224));
            assertThat(net.parameterCount()).isEqualTo(expected);
            assertThat(trainableCount(net)).isEqualTo(expected);
        }
    }

    @Test
    void namesParametersLikeTorchvisionStateDict() {
        DenseNet net = DenseNet.of(DenseNetVariant.DENSENET121.config());
        try (NDManager manager = NDManager.newBaseManager()) {
            net.initialize(manager, DataType.FLOAT32, new Shape(1, 3, 224, 224));
            Map<String, Parameter> params = TorchNames.parameters(net);
            assertThat(params).containsKeys(
                    "features.conv0.weight",
                    "features.norm0.running_var",
                    "features.denseblock1.denselayer1.norm1.weight",
                    "features.denseblock4.denselayer16.conv2.weight",
                    "features.transition3.conv.weight",
                    "features.norm5.bias",
                    "classifier.weight",
                    "classifier.bias");
            // 121 layers' worth: 120 conv/linear weights + 1 classifier bias + 4 tensors per BN (121 - 1 - 1 + ... )
            assertThat(params.get("features.denseblock4.denselayer16.conv2.weight").getArray().getShape())
                    .isEqualTo(new Shape(32, 128, 3, 3));
            assertThat(params.get("classifier.weight").getArray().getShape()).isEqualTo(new Shape(1000, 1024));
        }
    }

    @Test
    void smallImageBcFollowsThePaper() {
        DenseNetConfig bc = DenseNetConfig.bc(40, 12, 1, 10);
        assertThat(bc.blockConfig()).containsExactly(6, 6, 6);
        assertThat(bc.numInitFeatures()).isEqualTo(24);
        // 24 + 72 = 96 -> 48; 48 + 72 = 120 -> 60; 60 + 72 = 132
        assertThat(bc.numFeatures()).isEqualTo(132);
        DenseNet net = DenseNet.of(bc);
        try (NDManager manager = NDManager.newBaseManager()) {
            net.initialize(manager, DataType.FLOAT32, new Shape(2, 1, 28, 28));
            NDArray logits = net.forward(new ParameterStore(manager, false),
                    new NDList(manager.randomNormal(new Shape(2, 1, 28, 28))), false).singletonOrThrow();
            assertThat(logits.getShape()).isEqualTo(new Shape(2, 10));
        }
        assertThatThrownBy(() -> DenseNetConfig.bc(41, 12, 1, 10)).hasMessageContaining("6n + 4");
    }

    static long trainableCount(DenseNet net) {
        return TorchNames.parameters(net).values().stream()
                .filter(Parameter::requiresGradient)
                .mapToLong(p -> p.getArray().size())
                .sum();
    }
}
