package io.denseserve.classify;

import io.swagger.v3.oas.annotations.media.Schema;

/** Where one request's time went, in milliseconds. */
@Schema(name = "Timings")
public record Timings(
        @Schema(description = "decoding and preprocessing the image", example = "2.1") double decodeAndPreprocessMs,
        @Schema(description = "waiting in the queue for a batch", example = "0.8") double queueWaitMs,
        @Schema(description = "the forward pass of the batch this image was in", example = "41.5") double inferenceMs,
        @Schema(description = "from the handler receiving the request (a multipart body already parsed) to the response built", example = "45.0") double totalMs,
        @Schema(description = "images in that batch", example = "4") int batchSize) {}
