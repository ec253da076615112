package io.denseserve.classify;

import io.swagger.v3.oas.annotations.media.Schema;

/** Where in the image the evidence for one class lies: its class activation map. */
@Schema(name = "Explanation", description = "The class activation map of one class (Zhou et al., CVPR 2016), "
        + "from the forward pass that classified the image")
public record Explanation(
        @Schema(description = "the class explained: the top class unless explainClass named another") Prediction explained,
        @Schema(description = "the map at the last feature maps' resolution, rows top to bottom; the mean plus the "
                + "class's bias is its logit", example = "[[0.1, 0.4], [0.2, 1.3]]") float[][] map,
        @Schema(description = "the part of the image the model saw (the center crop after resizing), in the image's pixels")
        Window window,
        @Schema(description = "the image with the map drawn over that window, PNG, base64; at most "
                + ClassificationService.OVERLAY_MAX_SIDE + " pixels on its longer side", type = "string", format = "byte")
        byte[] overlayPng,
        @Schema(description = "overlay width in pixels") int overlayWidth,
        @Schema(description = "overlay height in pixels") int overlayHeight,
        @Schema(description = "time to compute the map and draw the overlay, ms") double renderMs) {

    /** A rectangle in the uploaded image's pixels. */
    @Schema(name = "Window")
    public record Window(double x, double y, double width, double height) {}
}
