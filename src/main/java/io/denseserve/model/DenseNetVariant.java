package io.denseserve.model;

import java.util.List;
import java.util.Locale;

/**
 * torchvision's ImageNet DenseNets, as a table of numbers (growth rate, block sizes, stem width),
 * like {@code torchvision.models.densenet121()} and its siblings.
 */
public enum DenseNetVariant {
    DENSENET121(32, List.of(6, 12, 24, 16), 64),
    DENSENET161(48, List.of(6, 12, 36, 24), 96),
    DENSENET169(32, List.of(6, 12, 32, 32), 64),
    DENSENET201(32, List.of(6, 12, 48, 32), 64);

    private final int growthRate;
    private final List<Integer> blockConfig;
    private final int numInitFeatures;

    DenseNetVariant(int growthRate, List<Integer> blockConfig, int numInitFeatures) {
        this.growthRate = growthRate;
        this.blockConfig = blockConfig;
        this.numInitFeatures = numInitFeatures;
    }

    /** The configuration torchvision builds for this variant, with 1000 ImageNet classes. */
    public DenseNetConfig config() {
        return new DenseNetConfig(growthRate, blockConfig, numInitFeatures, 4, 0f, 0.5f, Stem.IMAGENET, 3, 1000);
    }

    /** torchvision's builder name, such as {@code densenet121}. */
    public String torchvisionName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Looks a variant up by torchvision's builder name.
     *
     * @param name such as {@code densenet121} (case-insensitive)
     * @return the variant
     * @throws IllegalArgumentException naming the known variants
     */
    public static DenseNetVariant of(String name) {
        for (DenseNetVariant v : values()) {
            if (v.torchvisionName().equalsIgnoreCase(name)) {
                return v;
            }
        }
        throw new IllegalArgumentException("unknown DenseNet variant '" + name
                + "'; known: densenet121, densenet161, densenet169, densenet201");
    }
}
