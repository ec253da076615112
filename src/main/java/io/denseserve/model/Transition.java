package io.denseserve.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Activation;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * Between two dense blocks: BN-ReLU-Conv1x1 (compression θ) then 2x2 average pooling, which halves
 * the resolution. Named as torchvision's {@code _Transition}: {@code norm, relu, conv, pool}.
 *
 * <p>LEAN inference pools before the 1x1 convolution: both are linear, so they commute exactly in
 * real arithmetic, and the convolution then runs on a quarter of the pixels. With every norm scale
 * positive, norm and ReLU also fold into the convolution ({@link ClippedConv}), leaving
 * {@code conv'(pool(max(x, floor)))}.
 */
public final class Transition extends TorchSequential {

    private final BatchNorm2d norm;
    private final Conv2d conv;
    private final Op pool;
    /** Set by {@link #fuseForInference()} when every norm scale is positive. */
    private ClippedConv clipped;

    Transition(int outputFeatures, ForwardMode mode) {
        super(mode);
        norm = add("norm", new BatchNorm2d());
        add("relu", Op.relu());
        conv = add("conv", DenseLayer.conv(outputFeatures, 1, 0));
        pool = add("pool", Op.avgPool2x2());
    }

    /** Precomputes the {@link ClippedConv} form; call again whenever the weights change. */
    void fuseForInference() {
        ClippedConv previous = clipped;
        NDArray[] affine = norm.asAffine();
        clipped = ClippedConv.of(affine[0], affine[1], conv.getParameters().get("weight").getArray(), null);
        for (NDArray a : affine) {
            a.close();
        }
        if (previous != null) {
            previous.close();
        }
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        if (training || mode() != ForwardMode.LEAN) {
            return super.forwardInternal(store, inputs, training, params);
        }
        if (clipped != null) {
            NDArray floored = clipped.clip(inputs.singletonOrThrow());
            NDArray pooled = pool.forward(store, new NDList(floored), false).singletonOrThrow();
            floored.close();
            NDArray out = clipped.convolve(pooled);
            pooled.close();
            return new NDList(out);
        }
        NDArray normalised = norm.forward(store, inputs, false).singletonOrThrow();
        NDArray activated = Activation.relu(normalised);
        normalised.close();
        NDArray pooled = pool.forward(store, new NDList(activated), false).singletonOrThrow();
        activated.close();
        NDArray out = conv.forward(store, new NDList(pooled), false).singletonOrThrow();
        pooled.close();
        return new NDList(out);
    }
}
