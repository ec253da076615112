package io.denseserve.classify;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.swagger.v3.oas.annotations.media.Schema;
import java.util.List;

/**
 * The answer to {@code POST /classify}. {@code schemaVersion} changes only with incompatible
 * changes; fields may be added within a version.
 */
@Schema(name = "ClassificationResponse", description = "Top-k classes of one image (schema version 1)")
public record ClassificationResponse(
        @Schema(description = "response schema version", example = "1") String schemaVersion,
        @Schema(description = "the model that answered") ModelRef model,
        @Schema(description = "the most probable class") Prediction top1,
        @Schema(description = "the k most probable classes, most probable first") List<Prediction> topK,
        @Schema(description = "where the time went") Timings timings,
        @Schema(description = "present when explain=true was asked for") @JsonInclude(JsonInclude.Include.NON_NULL)
        Explanation explanation) {

    public static final String SCHEMA_VERSION = "1";

    /** Which model answered. */
    @Schema(name = "ModelRef")
    public record ModelRef(
            @Schema(example = "fashion-mnist-densenet-bc") String name,
            @Schema(example = "1") String version) {}
}
