package io.denseserve.explain;

/**
 * One class's activation map at the resolution of the last feature maps (7x7 for a 224x224
 * ImageNet input), row-major: {@code sum_k w[c][k] * features[k][y][x]}. Its mean plus the class's
 * bias is the class's logit.
 *
 * @param classIndex the class it explains
 */
public record ClassActivationMap(int classIndex, int height, int width, float[] values) {

    public ClassActivationMap {
        if (values.length != height * width) {
            throw new IllegalArgumentException(values.length + " values for a " + height + "x" + width + " map");
        }
    }

    public float at(int y, int x) {
        return values[y * width + x];
    }

    /** The values as rows, as the JSON answer carries them. */
    public float[][] rows() {
        float[][] rows = new float[height][];
        for (int y = 0; y < height; y++) {
            rows[y] = java.util.Arrays.copyOfRange(values, y * width, (y + 1) * width);
        }
        return rows;
    }

    /**
     * Where a point lies between the centres of a map's cells along one axis: bilinear weights,
     * clamped at the border, as torch's {@code interpolate(mode="bilinear", align_corners=False)}.
     *
     * @param low the cell before the point
     * @param high the cell after it (the same at the border)
     * @param towardsHigh the weight of {@code high}
     */
    record Axis(int low, int high, float towardsHigh) {

        /** The point at {@code fraction} of the crop's extent ({@code 0} its start, {@code 1} its end), over {@code cells} cells. */
        static Axis at(double fraction, int cells) {
            double u = Math.min(Math.max(fraction * cells - 0.5, 0), cells - 1);
            int low = (int) u;
            return new Axis(low, Math.min(low + 1, cells - 1), (float) (u - low));
        }
    }

    /**
     * The map at a point of the model's input, given as fractions of the crop's width and height
     * ({@code (0, 0)} its top-left corner, {@code (1, 1)} its bottom-right).
     */
    public float sample(double fractionX, double fractionY) {
        Axis x = Axis.at(fractionX, width);
        Axis y = Axis.at(fractionY, height);
        double top = at(y.low(), x.low()) * (1 - x.towardsHigh()) + at(y.low(), x.high()) * x.towardsHigh();
        double bottom = at(y.high(), x.low()) * (1 - x.towardsHigh()) + at(y.high(), x.high()) * x.towardsHigh();
        return (float) (top * (1 - y.towardsHigh()) + bottom * y.towardsHigh());
    }

    /** {@link #sample} at the centre of every pixel of a {@code size x size} crop, row-major. */
    public float[] upsampled(int size) {
        float[] out = new float[size * size];
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                out[y * size + x] = sample((x + 0.5) / size, (y + 0.5) / size);
            }
        }
        return out;
    }
}
