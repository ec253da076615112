package io.denseserve.serving;

import io.denseserve.bundle.Preprocessing;
import io.denseserve.model.DenseNetConfig;
import io.swagger.v3.oas.annotations.media.Schema;
import java.util.List;
import java.util.Map;

/**
 * What {@code GET /models/{name}} says about a loaded model.
 */
@Schema(name = "ModelInfo", description = "A loaded model: architecture, size, input, preprocessing and provenance")
public record ModelInfo(
        @Schema(description = "model name, as used in /models/{name}", example = "fashion-mnist-densenet-bc") String name,
        @Schema(description = "model version", example = "1") String version,
        @Schema(description = "DenseNet numbers: growth rate, block sizes, stem, classes") DenseNetConfig architecture,
        @Schema(description = "trainable parameters", example = "7978856") long parameterCount,
        @Schema(description = "input tensor shape per image: channels, height, width") int[] inputShape,
        @Schema(description = "how images are prepared") Preprocessing preprocessing,
        @Schema(description = "number of class labels", example = "1000") int numLabels,
        @Schema(description = "the class labels, by class index") List<String> labels,
        @Schema(description = "where the weights came from") Map<String, Object> provenance,
        @Schema(description = "device the model runs on", example = "cpu()") String device,
        @Schema(description = "engine that runs the model: onnxruntime or pytorch", example = "onnxruntime")
                String engine,
        @Schema(description = "number type the model computes in: fp32 or bf16", example = "fp32")
                String precision) {

    static ModelInfo of(ServedModel model) {
        var m = model.manifest();
        int crop = m.preprocessing().crop();
        return new ModelInfo(m.name(), m.version(), m.architecture(), model.parameterCount(),
                new int[] {m.architecture().inChannels(), crop, crop}, m.preprocessing(), m.labels().size(), m.labels(),
                m.provenance(), model.device(), model.plan().engine().label(),
                model.plan().precision().label());
    }
}
