package io.denseserve.onnx;

/**
 * {@code relu(s*x + t)} per channel, rewritten as {@code s*clamp(x, lo, hi) + t} so that the affine
 * part can move into the linear map that follows (a 1x1 convolution, average pooling, the
 * classifier), leaving one clamp where BN-ReLU made two passes.
 *
 * <p>For {@code s > 0}, {@code relu(s*x + t) = s*max(x, -t/s) + t}; for {@code s < 0}, {@code relu(s*x
 * + t) = s*min(x, -t/s) + t}: the bound sits on the side the sign of s selects, so the identity is
 * exact for any sign. For {@code s = 0} the channel is the constant {@code relu(t)}: its scale
 * becomes 0 and its shift {@code relu(t)}. Scales below {@link #NEGLIGIBLE} in magnitude count as 0,
 * where {@code -t/s} would overflow.
 *
 * @param lower per-channel lower bound ({@code -Float.MAX_VALUE} where there is none)
 * @param upper per-channel upper bound ({@code Float.MAX_VALUE} where there is none)
 * @param scale s, with negligible scales set to 0
 * @param shift t, or {@code relu(t)} where the scale is 0
 */
record ClampedRelu(float[] lower, float[] upper, double[] scale, double[] shift) {

    static final double NEGLIGIBLE = 1e-30;

    static ClampedRelu of(ChannelAffine bn) {
        int n = bn.channels();
        float[] lower = new float[n];
        float[] upper = new float[n];
        double[] scale = new double[n];
        double[] shift = new double[n];
        for (int c = 0; c < n; c++) {
            double s = bn.scale()[c];
            double t = bn.shift()[c];
            lower[c] = -Float.MAX_VALUE;
            upper[c] = Float.MAX_VALUE;
            if (Math.abs(s) < NEGLIGIBLE) {
                shift[c] = Math.max(t, 0);
                continue;
            }
            scale[c] = s;
            shift[c] = t;
            if (s > 0) {
                lower[c] = (float) (-t / s);
            } else {
                upper[c] = (float) (-t / s);
            }
        }
        return new ClampedRelu(lower, upper, scale, shift);
    }

    /** Whether some channel has a lower bound: a {@code Max} is needed. */
    boolean hasLower() {
        return anyFinite(lower);
    }

    /** Whether some channel has an upper bound (a negative scale): a {@code Min} is needed. */
    boolean hasUpper() {
        return anyFinite(upper);
    }

    /**
     * The linear map {@code following} (a 1x1 convolution or a linear layer, {@code (out, C, 1, 1)}
     * or {@code (out, C)}) applied to {@code s*m + t}: per input channel, weights times s, and
     * {@code W·t} added to the bias.
     */
    Kernel into(Kernel following) {
        if (following.spatial() != 1) {
            throw new IllegalArgumentException("only a per-pixel linear map can absorb the affine part");
        }
        int in = following.inputs();
        double[] weight = following.weight().clone();
        double[] bias = following.bias().clone();
        for (int o = 0; o < following.outputs(); o++) {
            for (int c = 0; c < in; c++) {
                int i = o * in + c;
                bias[o] += weight[i] * shift[c];
                weight[i] *= scale[c];
            }
        }
        return new Kernel(following.shape(), weight, bias);
    }

    private static boolean anyFinite(float[] bounds) {
        for (float b : bounds) {
            if (Math.abs(b) != Float.MAX_VALUE) {
                return true;
            }
        }
        return false;
    }
}
