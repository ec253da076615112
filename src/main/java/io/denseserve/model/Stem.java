package io.denseserve.model;

/**
 * The layers before the first dense block.
 *
 * <p>ImageNet models (torchvision) downsample 4x at once; the paper's CIFAR/SVHN models keep the
 * full resolution of their small inputs.
 */
public enum Stem {
    /** 7x7/2 convolution, batch norm, ReLU, 3x3/2 max pool: {@code conv0, norm0, relu0, pool0}. */
    IMAGENET,
    /** A single 3x3/1 convolution ({@code conv0}), as in the paper's DenseNet-BC for 32x32 images. */
    SMALL_IMAGE
}
