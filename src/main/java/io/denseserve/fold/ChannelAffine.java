package io.denseserve.fold;

import io.denseserve.weights.StateDict;

/**
 * A BatchNorm2d at inference, {@code y = scale * x + shift} per channel, with {@code scale = gamma /
 * sqrt(var + eps)} and {@code shift = beta - mean * scale}.
 */
public record ChannelAffine(double[] scale, double[] shift) {

    /** torch's default {@code eps}. */
    public static final double EPS = 1e-5;

    /** The batch norm whose state_dict keys start with {@code prefix}, such as {@code features.norm0}. */
    public static ChannelAffine of(StateDict weights, String prefix) {
        float[] gamma = weights.get(prefix + ".weight").values();
        float[] beta = weights.get(prefix + ".bias").values();
        float[] mean = weights.get(prefix + ".running_mean").values();
        float[] var = weights.get(prefix + ".running_var").values();
        double[] scale = new double[gamma.length];
        double[] shift = new double[gamma.length];
        for (int c = 0; c < gamma.length; c++) {
            scale[c] = gamma[c] / Math.sqrt((double) var[c] + EPS);
            shift[c] = beta[c] - mean[c] * scale[c];
        }
        return new ChannelAffine(scale, shift);
    }

    public int channels() {
        return scale.length;
    }

    /**
     * This batch norm applied to the output of {@code conv}: {@code bn(conv(x))} is one convolution
     * with each output channel's weights and bias scaled, and the shift added to the bias.
     */
    public Kernel after(Kernel conv) {
        double[] weight = conv.weight().clone();
        double[] bias = new double[conv.outputs()];
        int perOutput = weight.length / conv.outputs();
        for (int o = 0; o < conv.outputs(); o++) {
            for (int i = o * perOutput; i < (o + 1) * perOutput; i++) {
                weight[i] *= scale[o];
            }
            bias[o] = conv.bias()[o] * scale[o] + shift[o];
        }
        return new Kernel(conv.shape(), weight, bias);
    }
}
