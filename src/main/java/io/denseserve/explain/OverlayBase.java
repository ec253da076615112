package io.denseserve.explain;

import io.denseserve.preprocess.CropWindow;
import io.denseserve.preprocess.DecodedImage;

/**
 * What an overlay is drawn on, kept from decoding until the forward pass returns: the upload
 * scaled down to fit a square ({@link Thumbnail}), and the window the model saw, in the upload's
 * pixels and in the copy's.
 *
 * @param image the copy, at most {@code maxSide} pixels on its longer side
 * @param window the model's crop in the upload's pixels
 * @param imageWindow the same in {@code image}'s pixels
 */
public record OverlayBase(DecodedImage image, CropWindow window, CropWindow imageWindow) {

    public static OverlayBase of(DecodedImage upload, CropWindow window, int maxSide) {
        DecodedImage image = Thumbnail.of(upload, maxSide);
        double scaleX = (double) image.width() / upload.width();
        double scaleY = (double) image.height() / upload.height();
        return new OverlayBase(image, window, new CropWindow(window.x() * scaleX, window.y() * scaleY,
                window.width() * scaleX, window.height() * scaleY));
    }

    /** PNG bytes of {@link #image} with {@code map} drawn over {@link #imageWindow} ({@link HeatmapOverlay}). */
    public byte[] draw(ClassActivationMap map) {
        return HeatmapOverlay.png(image, imageWindow, map);
    }
}
