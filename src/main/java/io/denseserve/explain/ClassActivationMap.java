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
     * The map at a point of the model's input, in pixels of a {@code size x size} crop, continuous
     * ({@code (0, 0)} is the crop's top-left corner): bilinear between the centres of the map's
     * cells, clamped at its border. Sampled at every pixel centre this is torch's
     * {@code interpolate(mode="bilinear", align_corners=False)}.
     */
    public float sample(double cropX, double cropY, int size) {
        double u = cropX * width / size - 0.5;
        double v = cropY * height / size - 0.5;
        u = Math.min(Math.max(u, 0), width - 1);
        v = Math.min(Math.max(v, 0), height - 1);
        int x0 = (int) u;
        int y0 = (int) v;
        int x1 = Math.min(x0 + 1, width - 1);
        int y1 = Math.min(y0 + 1, height - 1);
        double fx = u - x0;
        double fy = v - y0;
        double top = at(y0, x0) * (1 - fx) + at(y0, x1) * fx;
        double bottom = at(y1, x0) * (1 - fx) + at(y1, x1) * fx;
        return (float) (top * (1 - fy) + bottom * fy);
    }

    /** {@link #sample} at the centre of every pixel of a {@code size x size} crop, row-major. */
    public float[] upsampled(int size) {
        float[] out = new float[size * size];
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                out[y * size + x] = sample(x + 0.5, y + 0.5, size);
            }
        }
        return out;
    }
}
