package io.denseserve.classify;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.swagger.v3.oas.annotations.media.Schema;
import java.util.List;
import org.springframework.http.ProblemDetail;

/** The answer to {@code POST /classify/batch}: one entry per uploaded image, in upload order. */
@Schema(name = "BatchClassificationResponse", description = "One result or one error per image (schema version 1)")
public record BatchClassificationResponse(
        @Schema(example = "1") String schemaVersion,
        List<Item> results) {

    /** The result for one image: exactly one of {@code result} and {@code error} is present. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @Schema(name = "BatchItem")
    public record Item(
            @Schema(description = "position of the image in the request", example = "0") int index,
            @Schema(description = "the uploaded file name, if given", example = "boot.png") String filename,
            @Schema(description = "the classification, if it succeeded") ClassificationResponse result,
            @Schema(description = "an RFC 9457 problem, if it failed") ProblemDetail error) {}
}
