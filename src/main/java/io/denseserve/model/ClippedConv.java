package io.denseserve.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.convolutional.Conv2d;

/**
 * BN-ReLU-Conv1x1 as one clip and one convolution, for LEAN inference when every BN scale is
 * positive: with the batch norm as {@code s*x + t} per channel and {@code s > 0},
 * {@code relu(s*x + t) = s*max(x, -t/s) + t}, and since a 1x1 convolution without padding is
 * linear in each pixel, {@code conv(s*m + t, W, b) = conv(m, W*s, b + W·t)}. Exact in real
 * arithmetic, it replaces two passes over the layer's input (normalise, then ReLU) by one
 * ({@code max}), and the input of a dense layer is the widest tensor it touches: all the channels
 * of the block so far. Where some scale is not positive the identity does not hold and the caller
 * keeps the plain order.
 */
final class ClippedConv implements AutoCloseable {

    private final NDArray floor;
    private final NDArray weight;
    private final NDArray bias;

    private ClippedConv(NDArray floor, NDArray weight, NDArray bias) {
        this.floor = floor;
        this.weight = weight;
        this.bias = bias;
    }

    /**
     * @param scale the batch norm's {@code s}, shape (1, C, 1, 1)
     * @param shift the batch norm's {@code t}, shape (1, C, 1, 1)
     * @param convWeight the 1x1 convolution's weight, (out, C, 1, 1)
     * @param convBias its bias (out), or null
     * @return the fused form, or null if some scale is not positive
     */
    static ClippedConv of(NDArray scale, NDArray shift, NDArray convWeight, NDArray convBias) {
        NDManager owner = convWeight.getManager();
        try (NDManager scratch = owner.newSubManager()) {
            NDArray positive = scale.gt(0);
            positive.attach(scratch);
            NDArray all = positive.all();
            all.attach(scratch);
            if (!all.getBoolean()) {
                return null;
            }
            long out = convWeight.getShape().get(0);
            long in = convWeight.getShape().get(1);
            NDArray[] steps = {shift.div(scale), convWeight.reshape(out, in), shift.reshape(in, 1)};
            for (NDArray a : steps) {
                a.attach(scratch);
            }
            NDArray product = steps[1].matMul(steps[2]);
            product.attach(scratch);
            NDArray shiftTerm = product.reshape(out);
            shiftTerm.attach(scratch);
            NDArray floor = steps[0].neg();
            NDArray weight = convWeight.mul(scale);
            NDArray bias = convBias == null ? shiftTerm.duplicate() : convBias.add(shiftTerm);
            for (NDArray a : new NDArray[] {floor, weight, bias}) {
                a.attach(owner);
            }
            return new ClippedConv(floor, weight, bias);
        }
    }

    /** {@code conv(relu(bn(x)))} for NCHW {@code x}: one clip, one convolution. */
    NDArray apply(NDArray x) {
        NDArray clipped = clip(x);
        NDArray out = convolve(clipped);
        clipped.close();
        return out;
    }

    /** The first half, {@code max(x, -t/s)}. */
    NDArray clip(NDArray x) {
        return x.maximum(floor);
    }

    /**
     * The second half, on a clipped map or on anything linear made of it without padding (a
     * transition's 2x2 average pool keeps {@code s*m + t} as {@code s*pool(m) + t}).
     */
    NDArray convolve(NDArray clipped) {
        return Conv2d.conv2d(clipped, weight, bias).singletonOrThrow();
    }

    @Override
    public void close() {
        floor.close();
        weight.close();
        bias.close();
    }
}
