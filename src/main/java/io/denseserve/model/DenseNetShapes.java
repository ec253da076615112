package io.denseserve.model;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The state_dict a DenseNet of a given configuration has, key by key with each tensor's shape,
 * computed from the numbers alone: weights can be checked without building the network, so a plan
 * that does not run on libtorch never loads it. {@code DenseNetShapesTest} holds this equal to
 * what the blocks themselves declare.
 */
public final class DenseNetShapes {

    private DenseNetShapes() {}

    /** State_dict keys in module order, each with its shape. */
    public static Map<String, long[]> of(DenseNetConfig config) {
        Map<String, long[]> shapes = new LinkedHashMap<>();
        int channels = config.numInitFeatures();
        if (config.stem() == Stem.IMAGENET) {
            shapes.put("features.conv0.weight", new long[] {channels, config.inChannels(), 7, 7});
            batchNorm(shapes, "features.norm0", channels);
        } else {
            shapes.put("features.conv0.weight", new long[] {channels, config.inChannels(), 3, 3});
        }
        int bottleneck = config.bnSize() * config.growthRate();
        for (int b = 1; b <= config.blockConfig().size(); b++) {
            int layers = config.blockConfig().get(b - 1);
            for (int l = 1; l <= layers; l++) {
                String layer = "features.denseblock" + b + ".denselayer" + l;
                int in = channels + (l - 1) * config.growthRate();
                batchNorm(shapes, layer + ".norm1", in);
                shapes.put(layer + ".conv1.weight", new long[] {bottleneck, in, 1, 1});
                batchNorm(shapes, layer + ".norm2", bottleneck);
                shapes.put(layer + ".conv2.weight", new long[] {config.growthRate(), bottleneck, 3, 3});
            }
            channels += layers * config.growthRate();
            if (b < config.blockConfig().size()) {
                int out = config.transitionOutput(channels);
                batchNorm(shapes, "features.transition" + b + ".norm", channels);
                shapes.put("features.transition" + b + ".conv.weight", new long[] {out, channels, 1, 1});
                channels = out;
            }
        }
        batchNorm(shapes, "features.norm5", channels);
        shapes.put("classifier.weight", new long[] {config.numClasses(), channels});
        shapes.put("classifier.bias", new long[] {config.numClasses()});
        return shapes;
    }

    /**
     * Learnable values, as torchvision counts them ({@code sum(p.numel() for p in
     * model.parameters())}): BatchNorm's running statistics are buffers, not parameters.
     */
    public static long parameterCount(DenseNetConfig config) {
        return of(config).entrySet().stream()
                .filter(e -> !e.getKey().endsWith(".running_mean") && !e.getKey().endsWith(".running_var"))
                .mapToLong(e -> java.util.Arrays.stream(e.getValue()).reduce(1, (a, b) -> a * b))
                .sum();
    }

    private static void batchNorm(Map<String, long[]> shapes, String prefix, int channels) {
        for (String name : new String[] {"weight", "bias", "running_mean", "running_var"}) {
            shapes.put(prefix + "." + name, new long[] {channels});
        }
    }
}
