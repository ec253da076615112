package io.denseserve.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The shapes computed from the numbers are the shapes the blocks declare, key for key. */
class DenseNetLayoutTest {

    static Stream<DenseNetConfig> configs() {
        return Stream.of(DenseNetVariant.DENSENET121.config(), DenseNetVariant.DENSENET161.config(),
                DenseNetVariant.DENSENET169.config(), DenseNetVariant.DENSENET201.config(),
                DenseNetConfig.bc(40, 12, 1, 10), DenseNetConfig.bc(16, 8, 3, 7));
    }

    @ParameterizedTest
    @MethodSource("configs")
    void matchTheBlocks(DenseNetConfig config) {
        try (NDManager manager = NDManager.newBaseManager()) {
            DenseNet net = DenseNet.of(config);
            net.initialize(manager, DataType.FLOAT32, new Shape(1, config.inChannels(), 32, 32));
            Map<String, String> declared = new LinkedHashMap<>();
            TorchNames.parameters(net).forEach((k, p) -> declared.put(k, p.getArray().getShape().toString()));
            Map<String, String> computed = new LinkedHashMap<>();
            DenseNetLayout.of(config).shapes().forEach((k, s) -> computed.put(k, new Shape(s).toString()));
            assertThat(computed).containsExactlyEntriesOf(declared);
        }
    }
}
