package io.denseserve.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.denseserve.fold.FoldedDenseNet;
import io.denseserve.model.DenseNetConfig;
import io.denseserve.model.DenseNetVariant;
import io.denseserve.onnx.proto.Onnx.ModelProto;
import io.denseserve.onnx.proto.Onnx.NodeProto;
import io.denseserve.testing.SeededWeights;
import io.denseserve.weights.StateDict;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The graph's structure: what it declares, which operators it uses, and that ONNX Runtime's
 * optimizer keeps the whole network in its blocked layout (what makes it faster than the standard
 * export; numbers are in BENCHMARKS.md, correctness in PlanConformanceTest).
 */
class DenseNetGraphTest {

    static final DenseNetConfig DENSENET121 = DenseNetVariant.DENSENET121.config();

    @TempDir
    Path tmp;

    /** Seeded values of the right shapes; variances positive, scales of both signs. */
    static StateDict randomWeights(DenseNetConfig config) {
        return SeededWeights.of(config, 1, 0.1);
    }

    static Map<String, Long> operators(ModelProto model) {
        return model.getGraph().getNodeList().stream()
                .collect(Collectors.groupingBy(NodeProto::getOpType, Collectors.counting()));
    }

    @Test
    void densenet121IsWrittenAsConvolutionsConcatenationsAndPools() throws Exception {
        ModelProto model = ModelProto.parseFrom(DenseNetGraph.write(FoldedDenseNet.of(DENSENET121, randomWeights(DENSENET121)), 224, 224));
        assertThat(model.getIrVersion()).isEqualTo(GraphBuilder.IR_VERSION);
        assertThat(model.getOpsetImport(0).getVersion()).isEqualTo(GraphBuilder.OPSET);
        assertThat(model.getGraph().getInput(0).getType().getTensorType().getShape().getDimList())
                .extracting(d -> d.hasDimParam() ? d.getDimParam() : String.valueOf(d.getDimValue()))
                .containsExactly("N", "3", "224", "224");
        assertThat(model.getGraph().getOutput(0).getName()).isEqualTo(DenseNetGraph.LOGITS);
        // 58 dense layers (depthwise BN, conv1, conv2), 3 transitions (depthwise BN, conv), conv0, norm5.
        assertThat(operators(model)).containsEntry("Conv", 1L + 58 * 3 + 3 * 2 + 1)
                .containsEntry("Concat", 58L).containsEntry("AveragePool", 3L).containsEntry("MaxPool", 1L)
                .containsEntry("Gemm", 1L).doesNotContainKey("BatchNormalization");
        Map<String, Long> depthwise = model.getGraph().getNodeList().stream()
                .filter(n -> n.getAttributeList().stream().anyMatch(a -> a.getName().equals("group")))
                .collect(Collectors.groupingBy(NodeProto::getOpType, Collectors.counting()));
        assertThat(depthwise).containsEntry("Conv", 58L + 3 + 1);
        assertThat(model.getGraph().getInitializerList()).allSatisfy(t -> assertThat(t.getRawData().size())
                .isEqualTo(4 * t.getDimsList().stream().mapToLong(Long::longValue).reduce(1, (a, b) -> a * b)));
    }

    @Test
    void onnxRuntimeKeepsTheNetworkInItsBlockedLayout() throws Exception {
        Path optimized = tmp.resolve("optimized.onnx");
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            options.setOptimizedModelFilePath(optimized.toString());
            OrtEnvironment.getEnvironment()
                    .createSession(DenseNetGraph.write(FoldedDenseNet.of(DENSENET121, randomWeights(DENSENET121)), 224, 224), options)
                    .close();
        }
        Map<String, Long> ops = operators(ModelProto.parseFrom(Files.readAllBytes(optimized)));
        long reorders = ops.getOrDefault("ReorderInput", 0L) + ops.getOrDefault("ReorderOutput", 0L);
        // On torchvision's own export, whose batch norms are BatchNormalization nodes, ONNX Runtime
        // inserts 123 (a reorder in and out around nearly every one; BENCHMARKS.md §2).
        assertThat(reorders).as("layout conversions in %s", ops).isLessThanOrEqualTo(2);
    }
}
