package io.denseserve.classify;

import io.swagger.v3.oas.annotations.media.Schema;

/** One class and its probability. */
@Schema(name = "Prediction")
public record Prediction(
        @Schema(description = "class label", example = "Ankle boot") String label,
        @Schema(description = "class index in the model's output", example = "9") int index,
        @Schema(description = "softmax probability", example = "0.973") double probability) {}
