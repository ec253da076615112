package io.denseserve.preprocess;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.Raster;

/**
 * Turns any decoded {@link BufferedImage} into 8-bit RGB, the way Pillow's {@code convert("RGB")}
 * does for the cases torchvision users meet: gray replicated to three channels, alpha dropped
 * (not composited), palettes expanded, 16-bit samples scaled to 8 bits, CMYK already converted by
 * the JPEG decoder, and embedded ICC profiles of RGB images ignored (Pillow does not apply them, so
 * the weights were trained on the unconverted samples).
 *
 * <p>Gray and RGB rasters are read sample by sample: {@code BufferedImage.getRGB} would push gray
 * through Java's linear-gray color space and brighten it.
 */
final class PixelReader {

    private PixelReader() {}

    static byte[] rgb(BufferedImage image) {
        int w = image.getWidth();
        int h = image.getHeight();
        byte[] out = new byte[w * h * 3];
        Raster raster = image.getRaster();
        if (image.getColorModel() instanceof ComponentColorModel cm && isGrayOrSrgb(cm.getColorSpace())) {
            boolean gray = cm.getColorSpace().getType() == ColorSpace.TYPE_GRAY;
            int bands = raster.getNumBands();
            int bits = cm.getComponentSize(0);
            int[] row = new int[w * bands];
            for (int y = 0; y < h; y++) {
                raster.getPixels(0, y, w, 1, row);
                for (int x = 0; x < w; x++) {
                    for (int c = 0; c < 3; c++) {
                        int sample = row[x * bands + (gray ? 0 : c)];
                        out[(y * w + x) * 3 + c] = (byte) to8bits(sample, bits, raster.getTransferType());
                    }
                }
            }
            return out;
        }
        int[] argb = new int[w];
        for (int y = 0; y < h; y++) {
            image.getRGB(0, y, w, 1, argb, 0, w);
            for (int x = 0; x < w; x++) {
                int p = argb[x];
                int o = (y * w + x) * 3;
                out[o] = (byte) (p >> 16);
                out[o + 1] = (byte) (p >> 8);
                out[o + 2] = (byte) p;
            }
        }
        return out;
    }

    /** Gray or any RGB space: samples are taken as they are, ignoring an embedded ICC profile as Pillow does. */
    private static boolean isGrayOrSrgb(ColorSpace cs) {
        return cs.getType() == ColorSpace.TYPE_GRAY || cs.getType() == ColorSpace.TYPE_RGB;
    }

    private static int to8bits(int sample, int bits, int transferType) {
        if (transferType == DataBuffer.TYPE_FLOAT || transferType == DataBuffer.TYPE_DOUBLE) {
            return Math.max(0, Math.min(255, sample));
        }
        if (bits == 8) {
            return sample & 0xff;
        }
        long max = (1L << bits) - 1;
        return (int) ((Math.max(0, sample) * 255L + max / 2) / max);
    }
}
