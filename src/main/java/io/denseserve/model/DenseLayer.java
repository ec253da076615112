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
    /** conv1 with norm2 folded in, set by {@link #fuseForInference()}; used by LEAN inference only. */
    private NDArray[] fusedConv1;
    /** norm1 as a per-channel scale and shift (1, c, 1, 1), set by {@link #fuseForInference()}. */
    private NDArray[] norm1Affine;

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

    /** Precomputes conv1 with norm2 folded in; call again whenever the weights change. */
    void fuseForInference() {
        NDArray[] previous = fusedConv1;
        fusedConv1 = norm2.foldAfter(conv1.getParameters().get("weight").getArray());
        norm1Affine = norm1.asAffine();
        if (previous != null) {
            previous[0].close();
            previous[1].close();
        }
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        if (!training && fusedConv1 != null && mode() == ForwardMode.LEAN) {
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
        // A one-image view of the block buffer is contiguous, where libtorch's batch_norm kernel is
        // fastest; a batched view is strided, where a broadcast multiply-add is about twice as fast.
        NDArray normalised = input.getShape().get(0) == 1
                ? norm1.forward(store, new NDList(input), false).singletonOrThrow()
                : input.mul(norm1Affine[0]).addi(norm1Affine[1]);
        NDArray activated = Activation.relu(normalised);
        normalised.close();
        NDArray bottleneck = Conv2d.conv2d(activated, fusedConv1[0], fusedConv1[1]).singletonOrThrow();
        activated.close();
        NDArray activatedBottleneck = Activation.relu(bottleneck);
        bottleneck.close();
        NDArray out = conv2.forward(store, new NDList(activatedBottleneck), false).singletonOrThrow();
        activatedBottleneck.close();
        return out;
    }
}
