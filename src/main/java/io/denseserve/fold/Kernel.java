package io.denseserve.fold;

import io.denseserve.weights.HostTensor;

/**
 * A convolution's or linear layer's weight {@code (out, in, kh, kw)} or {@code (out, in)} and bias,
 * held in double precision while folds are applied so that rounding happens once, when the graph is
 * written.
 */
public record Kernel(long[] shape, double[] weight, double[] bias) {

    /** A bias-free kernel from a checkpoint tensor. */
    public static Kernel of(HostTensor weight) {
        return new Kernel(weight.shape(), toDouble(weight.values()), new double[(int) weight.shape()[0]]);
    }

    /** A kernel with the checkpoint's bias. */
    public static Kernel of(HostTensor weight, HostTensor bias) {
        return new Kernel(weight.shape(), toDouble(weight.values()), toDouble(bias.values()));
    }

    public int outputs() {
        return (int) shape[0];
    }

    public int inputs() {
        return (int) shape[1];
    }

    /** Weights per input channel of one output channel: {@code kh * kw}. */
    public int spatial() {
        return weight.length / (outputs() * inputs());
    }

    public float[] weightAsFloat() {
        return toFloat(weight);
    }

    public float[] biasAsFloat() {
        return toFloat(bias);
    }

    public static double[] toDouble(float[] values) {
        double[] out = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = values[i];
        }
        return out;
    }

    public static float[] toFloat(double[] values) {
        float[] out = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (float) values[i];
        }
        return out;
    }
}
