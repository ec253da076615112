package io.denseserve.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.norm.Dropout;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * The paper's composite function H_l with bottleneck (DenseNet-B): BN-ReLU-Conv1x1 to
 * {@code bnSize * k} channels, then BN-ReLU-Conv3x3 to k channels, then optional dropout.
 * Named as torchvision's {@code _DenseLayer}: {@code norm1, relu1, conv1, norm2, relu2, conv2}.
 */
public final class DenseLayer extends TorchSequential {

    private final float dropRate;
    private final BatchNorm2d norm1;
    private final Conv2d conv1;
    private final BatchNorm2d norm2;
    private final Conv2d conv2;
    /** Inference-time folds of this layer's weights, set by {@link #fuseForInference()}. */
    private Folded folded;

    /**
     * What LEAN inference precomputes: conv1 with norm2 folded in ({@code weight}, {@code bias}), and
     * norm1 as {@code x * scale + shift}. When every norm1 scale is positive, norm1 and relu1 fold
     * into that convolution too ({@code clipped}), and a single {@code max(x, floor)} precedes it;
     * see {@link ClippedConv}. Then only {@code clipped} is kept.
     */
    private record Folded(NDArray weight, NDArray bias, NDArray scale, NDArray shift, ClippedConv clipped)
            implements AutoCloseable {
        @Override
        public void close() {
            for (NDArray a : new NDArray[] {weight, bias, scale, shift}) {
                if (a != null) {
                    a.close();
                }
            }
            if (clipped != null) {
                clipped.close();
            }
        }
    }

    DenseLayer(int growthRate, int bnSize, float dropRate, ForwardMode mode) {
        super(mode);
        this.dropRate = dropRate;
        norm1 = add("norm1", new BatchNorm2d());
        add("relu1", Op.relu());
        conv1 = add("conv1", conv(bnSize * growthRate, 1, 0));
        norm2 = add("norm2", new BatchNorm2d());
        add("relu2", Op.relu());
        conv2 = add("conv2", conv(growthRate, 3, 1));
    }

    static Conv2d conv(int filters, int kernel, int padding) {
        return Conv2d.builder()
                .setFilters(filters)
                .setKernelShape(new Shape(kernel, kernel))
                .optPadding(new Shape(padding, padding))
                .optBias(false)
                .build();
    }

    /** Precomputes the {@link Folded} weights; call again whenever the weights change. */
    void fuseForInference() {
        Folded previous = folded;
        NDArray[] conv = norm2.foldAfter(conv1.getParameters().get("weight").getArray());
        NDArray[] affine = norm1.asAffine();
        ClippedConv clipped = ClippedConv.of(affine[0], affine[1], conv[0], conv[1]);
        if (clipped == null) {
            folded = new Folded(conv[0], conv[1], affine[0], affine[1], null);
        } else { // the plain-order arrays would never be read: a second copy of conv1 per layer
            for (NDArray a : new NDArray[] {conv[0], conv[1], affine[0], affine[1]}) {
                a.close();
            }
            folded = new Folded(null, null, null, null, clipped);
        }
        if (previous != null) {
            previous.close();
        }
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        if (!training && folded != null && mode() == ForwardMode.LEAN) {
            return new NDList(forwardFused(store, inputs.singletonOrThrow()));
        }
        NDList out = super.forwardInternal(store, inputs, training, params);
        if (!training || dropRate == 0f) {
            return out;
        }
        NDArray features = out.singletonOrThrow();
        return Dropout.dropout(features, dropRate, true);
    }

    /** norm1, relu, conv1+norm2 (folded), relu, conv2, closing each intermediate as it is consumed. */
    private NDArray forwardFused(ParameterStore store, NDArray input) {
        NDArray bottleneck;
        if (folded.clipped() != null) {
            bottleneck = folded.clipped().apply(input);
        } else {
            // A one-image view of the block buffer is contiguous, where libtorch's batch_norm kernel is
            // fastest; a batched view is strided, where element-wise broadcasting is about twice as fast.
            NDArray normalised = input.getShape().get(0) == 1
                    ? norm1.forward(store, new NDList(input), false).singletonOrThrow()
                    : input.mul(folded.scale()).addi(folded.shift());
            NDArray activated = Activation.relu(normalised);
            normalised.close();
            bottleneck = Conv2d.conv2d(activated, folded.weight(), folded.bias()).singletonOrThrow();
            activated.close();
        }
        NDArray activatedBottleneck = Activation.relu(bottleneck);
        bottleneck.close();
        NDArray out = conv2.forward(store, new NDList(activatedBottleneck), false).singletonOrThrow();
        activatedBottleneck.close();
        return out;
    }
}
