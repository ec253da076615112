package io.denseserve.explain;

import io.denseserve.preprocess.CropWindow;
import io.denseserve.preprocess.DecodedImage;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import javax.imageio.ImageIO;

/**
 * Draws a class activation map over the image it explains, as a PNG: inside the window the model
 * saw, the image blended half and half with the map's colour (lowest value dark blue, highest
 * red, scaled between the map's own minimum and maximum); outside it, the image darkened, since
 * the model never saw those pixels.
 */
public final class HeatmapOverlay {

    /** Colour stops from the map's minimum to its maximum. */
    private static final int[][] STOPS = {
        {48, 18, 59}, {40, 140, 230}, {60, 220, 130}, {250, 200, 40}, {200, 30, 20}};
    private static final double OUTSIDE = 0.35;

    private HeatmapOverlay() {}

    /**
     * @param image what to draw on (a {@link Thumbnail} of the upload)
     * @param window the model's crop in {@code image}'s pixels
     * @param map the class activation map over that crop
     * @return PNG bytes of {@code image}'s size
     */
    public static byte[] png(DecodedImage image, CropWindow window, ClassActivationMap map) {
        float min = Float.POSITIVE_INFINITY;
        float max = Float.NEGATIVE_INFINITY;
        for (float v : map.values()) {
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        double range = max > min ? max - min : 1;
        BufferedImage out = new BufferedImage(image.width(), image.height(), BufferedImage.TYPE_INT_RGB);
        byte[] rgb = image.rgb();
        // The map is sampled in the coordinates of a unit crop: any size gives the same bilinear weights.
        int unit = 1 << 16;
        for (int y = 0; y < image.height(); y++) {
            double cropY = (y + 0.5 - window.y()) / window.height();
            for (int x = 0; x < image.width(); x++) {
                double cropX = (x + 0.5 - window.x()) / window.width();
                int i = (y * image.width() + x) * 3;
                int r = rgb[i] & 0xff;
                int g = rgb[i + 1] & 0xff;
                int b = rgb[i + 2] & 0xff;
                if (cropX < 0 || cropX >= 1 || cropY < 0 || cropY >= 1) {
                    out.setRGB(x, y, pack(r * OUTSIDE, g * OUTSIDE, b * OUTSIDE));
                    continue;
                }
                double t = (map.sample(cropX * unit, cropY * unit, unit) - min) / range;
                int[] c = colour(t);
                out.setRGB(x, y, pack((r + c[0]) / 2.0, (g + c[1]) / 2.0, (b + c[2]) / 2.0));
            }
        }
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        try {
            ImageIO.write(out, "png", png);
        } catch (IOException e) {
            throw new UncheckedIOException("PNG encoding in memory failed", e);
        }
        return png.toByteArray();
    }

    /** The colour of {@code t} in [0, 1], linear between the stops. */
    static int[] colour(double t) {
        double position = Math.min(Math.max(t, 0), 1) * (STOPS.length - 1);
        int lower = Math.min((int) position, STOPS.length - 2);
        double f = position - lower;
        int[] c = new int[3];
        for (int k = 0; k < 3; k++) {
            c[k] = (int) Math.round(STOPS[lower][k] * (1 - f) + STOPS[lower + 1][k] * f);
        }
        return c;
    }

    private static int pack(double r, double g, double b) {
        return ((int) Math.round(r) << 16) | ((int) Math.round(g) << 8) | (int) Math.round(b);
    }
}
