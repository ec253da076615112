package io.denseserve.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where each part of a DenseNet keeps its tensors in a torchvision state_dict, and their shapes,
 * computed from the configuration alone: the stem, each dense layer, each transition and the head,
 * in the order the network runs them. This is the one place that spells torchvision's names for the
 * network's parts; the weight checks ({@link #shapes()}), the training network ({@link DenseNet})
 * and the folded description every inference plan is written from ({@code fold.FoldedDenseNet})
 * read them here. A new variant is a new configuration ({@link DenseNetVariant}), nothing here.
 */
public record DenseNetLayout(DenseNetConfig config, StemLayout stem, List<Block> blocks, Norm norm5, Head head) {

    /** A batch norm: {@code prefix.weight}, {@code .bias}, {@code .running_mean}, {@code .running_var}, one value a channel. */
    public record Norm(String prefix, int channels) {
    }

    /** A convolution without bias: {@code prefix.weight}, shaped {@code (out, in, kh, kw)}. */
    public record Conv(String prefix, int outputs, int inputs, int kernel) {
        public long[] shape() {
            return new long[] {outputs, inputs, kernel, kernel};
        }
    }

    /** {@code conv0}, and where the ImageNet stem has it, {@code norm0} (null for the small-image stem). */
    public record StemLayout(Conv conv0, Norm norm0) {
    }

    /** A dense layer, {@code BN-ReLU-Conv1x1-BN-ReLU-Conv3x3}, reading {@code norm1.channels()} channels. */
    public record Layer(String prefix, Norm norm1, Conv conv1, Norm norm2, Conv conv2) {
    }

    /** Between two blocks: {@code BN-ReLU-Conv1x1}, then 2x2 average pooling. */
    public record TransitionLayer(String prefix, Norm norm, Conv conv) {
    }

    /** A dense block's layers and the transition after it (null after the last block). */
    public record Block(String prefix, int inputChannels, List<Layer> layers, TransitionLayer transition) {
    }

    /** The classifier, a linear layer over the pooled {@code channels}: {@code prefix.weight}, {@code prefix.bias}. */
    public record Head(String prefix, int classes, int channels) {
    }

    public static DenseNetLayout of(DenseNetConfig config) {
        int channels = config.numInitFeatures();
        StemLayout stem = config.stem() == Stem.IMAGENET
                ? new StemLayout(new Conv("features.conv0", channels, config.inChannels(), 7), new Norm("features.norm0", channels))
                : new StemLayout(new Conv("features.conv0", channels, config.inChannels(), 3), null);
        int bottleneck = config.bnSize() * config.growthRate();
        List<Block> blocks = new ArrayList<>();
        for (int b = 1; b <= config.blockConfig().size(); b++) {
            String block = "features.denseblock" + b;
            int input = channels;
            List<Layer> layers = new ArrayList<>();
            for (int l = 1; l <= config.blockConfig().get(b - 1); l++) {
                String layer = block + ".denselayer" + l;
                layers.add(new Layer(layer, new Norm(layer + ".norm1", channels), new Conv(layer + ".conv1", bottleneck, channels, 1),
                        new Norm(layer + ".norm2", bottleneck), new Conv(layer + ".conv2", config.growthRate(), bottleneck, 3)));
                channels += config.growthRate();
            }
            TransitionLayer transition = null;
            if (b < config.blockConfig().size()) {
                String prefix = "features.transition" + b;
                int out = config.transitionOutput(channels);
                transition = new TransitionLayer(prefix, new Norm(prefix + ".norm", channels), new Conv(prefix + ".conv", out, channels, 1));
                channels = out;
            }
            blocks.add(new Block(block, input, List.copyOf(layers), transition));
        }
        return new DenseNetLayout(config, stem, List.copyOf(blocks), new Norm("features.norm5", channels),
                new Head("classifier", config.numClasses(), channels));
    }

    /** The last segment of a prefix: the child's name within its parent ({@code denselayer3}). */
    public static String child(String prefix) {
        return prefix.substring(prefix.lastIndexOf('.') + 1);
    }

    /** Every state_dict key in module order, each with its shape. */
    public Map<String, long[]> shapes() {
        Map<String, long[]> shapes = new LinkedHashMap<>();
        conv(shapes, stem.conv0());
        if (stem.norm0() != null) {
            norm(shapes, stem.norm0());
        }
        for (Block block : blocks) {
            for (Layer layer : block.layers()) {
                norm(shapes, layer.norm1());
                conv(shapes, layer.conv1());
                norm(shapes, layer.norm2());
                conv(shapes, layer.conv2());
            }
            if (block.transition() != null) {
                norm(shapes, block.transition().norm());
                conv(shapes, block.transition().conv());
            }
        }
        norm(shapes, norm5);
        shapes.put(head.prefix() + ".weight", new long[] {head.classes(), head.channels()});
        shapes.put(head.prefix() + ".bias", new long[] {head.classes()});
        return shapes;
    }

    /**
     * Learnable values, as torchvision counts them ({@code sum(p.numel() for p in
     * model.parameters())}): BatchNorm's running statistics are buffers, not parameters.
     */
    public long parameterCount() {
        return shapes().entrySet().stream()
                .filter(e -> !e.getKey().endsWith(".running_mean") && !e.getKey().endsWith(".running_var"))
                .mapToLong(e -> Arrays.stream(e.getValue()).reduce(1, (a, b) -> a * b))
                .sum();
    }

    private static void conv(Map<String, long[]> shapes, Conv conv) {
        shapes.put(conv.prefix() + ".weight", conv.shape());
    }

    private static void norm(Map<String, long[]> shapes, Norm norm) {
        for (String name : new String[] {"weight", "bias", "running_mean", "running_var"}) {
            shapes.put(norm.prefix() + "." + name, new long[] {norm.channels()});
        }
    }
}
