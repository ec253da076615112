package io.denseserve.model;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.norm.Dropout;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * The paper's composite function H_l with bottleneck (DenseNet-B): BN-ReLU-Conv1x1 to
 * {@code bnSize * k} channels, then BN-ReLU-Conv3x3 to k channels, then dropout while training.
 * Named as torchvision's {@code _DenseLayer}: {@code norm1, relu1, conv1, norm2, relu2, conv2}.
 */
public final class DenseLayer extends TorchSequential {

    private final float dropRate;

    DenseLayer(int growthRate, int bnSize, float dropRate) {
        this.dropRate = dropRate;
        add("norm1", new BatchNorm2d());
        add("relu1", Op.relu());
        add("conv1", conv(bnSize * growthRate, 1, 0));
        add("norm2", new BatchNorm2d());
        add("relu2", Op.relu());
        add("conv2", conv(growthRate, 3, 1));
    }

    static Conv2d conv(int filters, int kernel, int padding) {
        return Conv2d.builder()
                .setFilters(filters)
                .setKernelShape(new Shape(kernel, kernel))
                .optPadding(new Shape(padding, padding))
                .optBias(false)
                .build();
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        NDList out = super.forwardInternal(store, inputs, training, params);
        if (!training || dropRate == 0f) {
            return out;
        }
        return Dropout.dropout(out.singletonOrThrow(), dropRate, true);
    }
}
