package io.denseserve.explain;

import io.denseserve.preprocess.CropWindow;
import io.denseserve.preprocess.DecodedImage;

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
    /** {@link #colour} at 1024 steps, so that drawing a pixel allocates nothing. */
    private static final int LEVELS = 1024;
    private static final int[][] PALETTE = new int[LEVELS + 1][];

    static {
        for (int level = 0; level <= LEVELS; level++) {
            PALETTE[level] = colour((double) level / LEVELS);
        }
    }

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
        int width = image.width();
        int height = image.height();
        // ClassActivationMap#sample, split into a vertical pass per row and a horizontal pass with
        // weights computed once per column.
        ClassActivationMap.Axis[] columns = new ClassActivationMap.Axis[width];
        boolean[] columnInside = new boolean[width];
        for (int x = 0; x < width; x++) {
            double cropX = (x + 0.5 - window.x()) / window.width();
            columnInside[x] = cropX >= 0 && cropX < 1;
            columns[x] = ClassActivationMap.Axis.at(cropX, map.width());
        }
        float[] row = new float[map.width()];
        byte[] rgb = image.rgb();
        byte[] out = new byte[rgb.length];
        for (int y = 0; y < height; y++) {
            double cropY = (y + 0.5 - window.y()) / window.height();
            boolean rowInside = cropY >= 0 && cropY < 1;
            ClassActivationMap.Axis rows = ClassActivationMap.Axis.at(cropY, map.height());
            for (int x = 0; x < map.width(); x++) {
                row[x] = map.at(rows.low(), x) * (1 - rows.towardsHigh()) + map.at(rows.high(), x) * rows.towardsHigh();
            }
            for (int x = 0; x < width; x++) {
                int i = (y * width + x) * 3;
                if (!rowInside || !columnInside[x]) {
                    for (int k = 0; k < 3; k++) {
                        out[i + k] = (byte) Math.round((rgb[i + k] & 0xff) * OUTSIDE);
                    }
                    continue;
                }
                ClassActivationMap.Axis column = columns[x];
                float value = row[column.low()] * (1 - column.towardsHigh()) + row[column.high()] * column.towardsHigh();
                // Bilinear values lie between the map's extremes, up to rounding: clamp the index.
                int level = (int) Math.round((value - min) / range * LEVELS);
                int[] c = PALETTE[Math.min(Math.max(level, 0), LEVELS)];
                for (int k = 0; k < 3; k++) {
                    out[i + k] = (byte) (((rgb[i + k] & 0xff) + c[k] + 1) / 2);
                }
            }
        }
        return PngEncoder.rgb(out, width, height);
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
}
