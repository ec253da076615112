package io.denseserve.onnx;

import io.denseserve.model.DenseNetConfig;
import io.denseserve.model.Stem;
import io.denseserve.weights.StateDict;

/**
 * Writes a DenseNet with loaded weights as an ONNX graph for inference, folding what training keeps
 * apart. Each fold is exact in real arithmetic:
 * <ul>
 *   <li>the stem's {@code norm0} into {@code conv0}, and each dense layer's {@code norm2} into
 *       {@code conv1} ({@link ChannelAffine#after});</li>
 *   <li>every BN-ReLU that feeds a per-pixel linear map ({@code norm1} before {@code conv1}, a
 *       transition's {@code norm} before its pool and 1x1 convolution, {@code norm5} before global
 *       pooling and the classifier) becomes one per-channel clamp, its affine part moved into that
 *       map ({@link ClampedRelu}), for any sign of the BN scale;</li>
 *   <li>a transition pools before its 1x1 convolution (both are linear, so they commute), which
 *       then runs on a quarter of the pixels; the classifier likewise follows global pooling.</li>
 * </ul>
 *
 * <p>Input {@code input} is {@code (N, C, H, W)} float32, normalised as the model's preprocessing
 * says; output {@code logits} is {@code (N, classes)}.
 */
public final class DenseNetGraph {

    public static final String INPUT = "input";
    public static final String LOGITS = "logits";

    private final DenseNetConfig config;
    private final StateDict weights;
    private final GraphBuilder graph = new GraphBuilder("densenet");

    private DenseNetGraph(DenseNetConfig config, StateDict weights) {
        this.config = config;
        this.weights = weights;
    }

    /**
     * @param config the architecture
     * @param weights torchvision-named weights that match it (as {@code StateDictLoader} checks)
     * @param height input height the graph declares
     * @param width input width
     * @return the serialized ONNX model
     */
    public static byte[] write(DenseNetConfig config, StateDict weights, int height, int width) {
        return new DenseNetGraph(config, weights).build(height, width);
    }

    private byte[] build(int height, int width) {
        graph.input(INPUT, "N", config.inChannels(), height, width);
        String x = stem(INPUT);
        for (int b = 1; b <= config.blockConfig().size(); b++) {
            x = denseBlock("features.denseblock" + b, x, config.blockConfig().get(b - 1));
            if (b < config.blockConfig().size()) {
                x = transition("features.transition" + b, x);
            }
        }
        classifier(x);
        graph.output(LOGITS, "N", config.numClasses());
        graph.metadata("architecture", config.toString());
        return graph.toBytes();
    }

    private String stem(String input) {
        if (config.stem() == Stem.SMALL_IMAGE) {
            return conv("features.conv0", input, Kernel.of(weights.get("features.conv0.weight")), 1, 1);
        }
        Kernel conv0 = ChannelAffine.of(weights, "features.norm0").after(Kernel.of(weights.get("features.conv0.weight")));
        String convolved = conv("features.conv0", input, conv0, 2, 3);
        String activated = graph.node("Relu", "features.relu0", new String[] {convolved});
        return graph.node("MaxPool", "features.pool0", new String[] {activated},
                "kernel_shape", new long[] {3, 3}, "strides", new long[] {2, 2}, "pads", new long[] {1, 1, 1, 1});
    }

    private String denseBlock(String prefix, String input, int layers) {
        String x = input;
        for (int l = 1; l <= layers; l++) {
            String layer = prefix + ".denselayer" + l;
            ClampedRelu norm1 = ClampedRelu.of(ChannelAffine.of(weights, layer + ".norm1"));
            Kernel conv1 = ChannelAffine.of(weights, layer + ".norm2")
                    .after(norm1.into(Kernel.of(weights.get(layer + ".conv1.weight"))));
            String clamped = clamp(layer + ".norm1", x, norm1);
            String bottleneck = conv(layer + ".conv1", clamped, conv1, 1, 0);
            String activated = graph.node("Relu", layer + ".relu2", new String[] {bottleneck});
            String added = conv(layer + ".conv2", activated, Kernel.of(weights.get(layer + ".conv2.weight")), 1, 1);
            x = graph.node("Concat", layer + ".concat", new String[] {x, added}, "axis", 1L);
        }
        return x;
    }

    private String transition(String prefix, String input) {
        ClampedRelu norm = ClampedRelu.of(ChannelAffine.of(weights, prefix + ".norm"));
        String clamped = clamp(prefix + ".norm", input, norm);
        String pooled = graph.node("AveragePool", prefix + ".pool", new String[] {clamped},
                "kernel_shape", new long[] {2, 2}, "strides", new long[] {2, 2});
        return conv(prefix + ".conv", pooled, norm.into(Kernel.of(weights.get(prefix + ".conv.weight"))), 1, 0);
    }

    private String classifier(String features) {
        ClampedRelu norm5 = ClampedRelu.of(ChannelAffine.of(weights, "features.norm5"));
        String clamped = clamp("features.norm5", features, norm5);
        String pooled = graph.node("GlobalAveragePool", "pooled", new String[] {clamped});
        String flat = graph.node("Flatten", "flattened", new String[] {pooled}, "axis", 1L);
        Kernel linear = norm5.into(Kernel.of(weights.get("classifier.weight"), weights.get("classifier.bias")));
        return graph.node("Gemm", LOGITS, new String[] {flat,
                graph.constant("classifier.folded_weight", linear.shape(), linear.weightAsFloat()),
                graph.constant("classifier.folded_bias", new long[] {linear.outputs()}, linear.biasAsFloat())},
                "transB", 1L);
    }

    /** {@code clamp(x, lo, hi)} per channel, as the Max and Min that the bounds need. */
    private String clamp(String name, String x, ClampedRelu relu) {
        long[] perChannel = {1, relu.lower().length, 1, 1};
        String out = x;
        if (relu.hasLower()) {
            out = graph.node("Max", name + ".max", new String[] {out, graph.constant(name + ".lower", perChannel, relu.lower())});
        }
        if (relu.hasUpper()) {
            out = graph.node("Min", name + ".min", new String[] {out, graph.constant(name + ".upper", perChannel, relu.upper())});
        }
        return out;
    }

    private String conv(String name, String x, Kernel kernel, int stride, int padding) {
        String weight = graph.constant(name + ".folded_weight", kernel.shape(), kernel.weightAsFloat());
        String bias = graph.constant(name + ".folded_bias", new long[] {kernel.outputs()}, kernel.biasAsFloat());
        return graph.node("Conv", name, new String[] {x, weight, bias},
                "strides", new long[] {stride, stride}, "pads", new long[] {padding, padding, padding, padding});
    }
}
