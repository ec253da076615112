package io.denseserve.model;

import java.util.Arrays;
import java.util.List;

/**
 * The numbers that define a DenseNet, named as in torchvision's {@code DenseNet(...)} and the
 * paper: growth rate k, layers per dense block, stem width, bottleneck factor, dropout, and the
 * transition compression θ.
 *
 * <p>ImageNet variants come from {@link DenseNetVariant}; {@link #bc(int, int, int, int)} builds
 * the paper's DenseNet-BC for small images.
 *
 * @param growthRate k, the channels each dense layer adds
 * @param blockConfig number of dense layers in each dense block
 * @param numInitFeatures channels out of the stem
 * @param bnSize bottleneck factor: the 1x1 convolution produces {@code bnSize * k} channels
 * @param dropRate dropout after each dense layer (training only)
 * @param compression θ: a transition keeps {@code floor(θ * channels)} channels
 * @param stem what comes before the first dense block
 * @param inChannels image channels (3 for RGB, 1 for grayscale)
 * @param numClasses classifier outputs
 */
public record DenseNetConfig(
        int growthRate,
        List<Integer> blockConfig,
        int numInitFeatures,
        int bnSize,
        float dropRate,
        float compression,
        Stem stem,
        int inChannels,
        int numClasses) {

    /** Validates the numbers so that a bad manifest fails before any tensor is allocated. */
    public DenseNetConfig {
        blockConfig = List.copyOf(blockConfig);
        require(growthRate > 0, "growthRate must be positive: " + growthRate);
        require(!blockConfig.isEmpty(), "blockConfig must name at least one dense block");
        require(blockConfig.stream().allMatch(n -> n > 0), "every dense block needs >= 1 layer: " + blockConfig);
        require(numInitFeatures > 0, "numInitFeatures must be positive: " + numInitFeatures);
        require(bnSize > 0, "bnSize must be positive: " + bnSize);
        require(dropRate >= 0 && dropRate < 1, "dropRate must be in [0, 1): " + dropRate);
        require(compression > 0 && compression <= 1, "compression must be in (0, 1]: " + compression);
        require(stem != null, "stem is required");
        require(inChannels > 0, "inChannels must be positive: " + inChannels);
        require(numClasses > 0, "numClasses must be positive: " + numClasses);
    }

    /**
     * The paper's DenseNet-BC for small images: three dense blocks of {@code (depth - 4) / 6}
     * bottleneck layers, a 3x3 stem of {@code 2k} channels, compression 0.5.
     *
     * @param depth L, the paper's depth; {@code (L - 4)} must be divisible by 6
     * @param growthRate k
     * @param inChannels image channels
     * @param numClasses classifier outputs
     * @return the configuration
     */
    public static DenseNetConfig bc(int depth, int growthRate, int inChannels, int numClasses) {
        require(depth >= 10 && (depth - 4) % 6 == 0, "DenseNet-BC depth must be 6n + 4 (n >= 1): " + depth);
        int layers = (depth - 4) / 6;
        return new DenseNetConfig(
                growthRate, List.of(layers, layers, layers), 2 * growthRate, 4, 0f, 0.5f,
                Stem.SMALL_IMAGE, inChannels, numClasses);
    }

    /** Returns this configuration with another number of classes. */
    public DenseNetConfig withNumClasses(int classes) {
        return new DenseNetConfig(growthRate, blockConfig, numInitFeatures, bnSize, dropRate,
                compression, stem, inChannels, classes);
    }

    /** Returns this configuration with another dropout rate (used only while training). */
    public DenseNetConfig withDropRate(float rate) {
        return new DenseNetConfig(growthRate, blockConfig, numInitFeatures, bnSize, rate,
                compression, stem, inChannels, numClasses);
    }

    /** Channels entering the classifier: what the last dense block emits. */
    public int numFeatures() {
        int features = numInitFeatures;
        for (int i = 0; i < blockConfig.size(); i++) {
            features += blockConfig.get(i) * growthRate;
            if (i != blockConfig.size() - 1) {
                features = transitionOutput(features);
            }
        }
        return features;
    }

    /** Channels a transition keeps out of {@code features}: torchvision's {@code features // 2} at θ=0.5. */
    int transitionOutput(int features) {
        return (int) Math.floor(features * (double) compression);
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }

    @Override
    public String toString() {
        return "DenseNetConfig[k=" + growthRate + ", blocks=" + Arrays.toString(blockConfig.toArray())
                + ", init=" + numInitFeatures + ", bnSize=" + bnSize + ", drop=" + dropRate
                + ", θ=" + compression + ", stem=" + stem + ", in=" + inChannels + ", classes=" + numClasses + "]";
    }
}
