package io.denseserve.fold;


/**
 * A batch norm and ReLU feeding a 1x1 convolution (or a linear layer), {@code W relu(s x + t)},
 * rewritten as a per-channel clamp and one convolution, exact whatever the sign of each scale:
 * {@code relu(s x + t) = s clamp(x, lo, hi) + t}, where the bound {@code -t/s} is the lower one
 * when {@code s > 0} ({@code hi = +inf}) and the upper one when {@code s < 0} ({@code lo = -inf}).
 * With {@code s = 0} the activation is the constant {@code max(t, 0)}. The scales and shifts then
 * fold into the convolution: {@link #conv} has each input channel's weights scaled by {@code s}
 * and {@code W t} added to its bias. A linear pooling between the ReLU and the convolution may run
 * on the clamped input instead.
 *
 * @param lower per input channel; {@code -inf} where unbounded
 * @param upper per input channel; {@code +inf} where unbounded
 * @param conv the convolution over the clamped input, with the folded bias
 */
public record ClampedInput(double[] lower, double[] upper, Kernel conv) {

    /**
     * A bound this far from zero means the ReLU is constant on any real activation; treating the
     * channel as {@code s = 0} keeps {@code s * bound} clear of single precision's range.
     */
    private static final double LARGEST_BOUND = 1e30;

    /** {@code conv(relu(norm(x)))} for a 1x1 {@code conv} (or linear layer) after {@code norm}. */
    public static ClampedInput of(ChannelAffine norm, Kernel conv) {
        if (conv.spatial() != 1 || conv.inputs() != norm.channels()) {
            throw new IllegalArgumentException("a 1x1 convolution over the batch norm's " + norm.channels()
                    + " channels is needed, not " + java.util.Arrays.toString(conv.shape()));
        }
        int inputs = conv.inputs();
        double[] lower = new double[inputs];
        double[] upper = new double[inputs];
        double[] scale = new double[inputs];
        double[] shift = new double[inputs];
        for (int i = 0; i < inputs; i++) {
            double s = norm.scale()[i];
            double t = norm.shift()[i];
            double bound = s == 0 ? 0 : -t / s;
            lower[i] = Double.NEGATIVE_INFINITY;
            upper[i] = Double.POSITIVE_INFINITY;
            if (s == 0 || Math.abs(bound) > LARGEST_BOUND) {
                shift[i] = Math.max(t, 0);
                continue;
            }
            scale[i] = s;
            shift[i] = t;
            if (s > 0) {
                lower[i] = bound;
            } else {
                upper[i] = bound;
            }
        }
        int outputs = conv.outputs();
        double[] weight = new double[outputs * inputs];
        double[] bias = conv.bias().clone();
        for (int o = 0; o < outputs; o++) {
            for (int i = 0; i < inputs; i++) {
                double w = conv.weight()[o * inputs + i];
                weight[o * inputs + i] = w * scale[i];
                bias[o] += w * shift[i];
            }
        }
        return new ClampedInput(lower, upper, new Kernel(conv.shape().clone(), weight, bias));
    }
}
