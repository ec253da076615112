package io.denseserve.model;

/**
 * Between two dense blocks: BN-ReLU-Conv1x1 (compression θ) then 2x2 average pooling, which halves
 * the resolution. Named as torchvision's {@code _Transition}: {@code norm, relu, conv, pool}.
 */
public final class Transition extends TorchSequential {

    Transition(int outputFeatures) {
        add("norm", new BatchNorm2d());
        add("relu", Op.relu());
        add("conv", DenseLayer.conv(outputFeatures, 1, 0));
        add("pool", Op.avgPool2x2());
    }
}
