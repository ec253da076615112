package io.denseserve.onnx;

import io.denseserve.fold.ChannelAffine;
import io.denseserve.fold.Kernel;
import io.denseserve.model.DenseNetConfig;
import io.denseserve.model.Stem;
import io.denseserve.weights.StateDict;

/**
 * Writes a DenseNet with loaded weights as an ONNX graph for inference. Each rewrite is exact in
 * real arithmetic:
 * <ul>
 *   <li>the stem's {@code norm0} is folded into {@code conv0}, and each dense layer's {@code norm2}
 *       into {@code conv1} ({@link ChannelAffine#after});</li>
 *   <li>every batch norm that feeds a ReLU ({@code norm1}, a transition's {@code norm},
 *       {@code norm5}) becomes a depthwise 1x1 convolution with the ReLU fused
 *       ({@link #affineRelu});</li>
 *   <li>a transition pools before its 1x1 convolution (both are linear, so they commute), which
 *       then runs on a quarter of the pixels.</li>
 * </ul>
 *
 * <p>Why a depthwise convolution rather than {@code BatchNormalization}: ONNX Runtime's CPU
 * provider runs convolutions, pooling and channel concatenation in its blocked NCHWc layout, but
 * converts to plain NCHW and back around any other operator. In a dense block every layer's input
 * passes through a batch norm, so the standard graph pays one reorder in and one out per layer
 * (measured: 5 ms of a 37 ms DenseNet-121 pass); with the batch norm as a convolution the whole
 * network stays blocked, since the growth rate and stem width are multiples of the block size.
 *
 * <p>Input {@code input} is {@code (N, C, H, W)} float32, normalised as the model's preprocessing
 * says; output {@code logits} is {@code (N, classes)}, and output {@code features} the maps the
 * classifier pools, {@code (N, channels, h, w)}.
 */
public final class DenseNetGraph {

    public static final String INPUT = "input";
    public static final String LOGITS = "logits";
    /** {@code relu(norm5(x))}, {@code (N, channels, h, w)}: what the classifier pools, for class activation maps. */
    public static final String FEATURES = "features";

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
        int channels = classifier(x);
        graph.output(LOGITS, "N", config.numClasses());
        graph.output(FEATURES, "N", channels, "feature_height", "feature_width");
        graph.metadata("architecture", config.toString());
        return graph.toBytes();
    }

    private String stem(String input) {
        Kernel conv0 = Kernel.of(weights.get("features.conv0.weight"));
        if (config.stem() == Stem.SMALL_IMAGE) {
            return conv("features.conv0", input, conv0, 1, 1);
        }
        String convolved = conv("features.conv0", input, ChannelAffine.of(weights, "features.norm0").after(conv0), 2, 3);
        String activated = graph.node("Relu", "features.relu0", new String[] {convolved});
        return graph.node("MaxPool", "features.pool0", new String[] {activated},
                "kernel_shape", new long[] {3, 3}, "strides", new long[] {2, 2}, "pads", new long[] {1, 1, 1, 1});
    }

    private String denseBlock(String prefix, String input, int layers) {
        String x = input;
        for (int l = 1; l <= layers; l++) {
            String layer = prefix + ".denselayer" + l;
            String activated = affineRelu(layer + ".norm1", x);
            Kernel conv1 = ChannelAffine.of(weights, layer + ".norm2").after(Kernel.of(weights.get(layer + ".conv1.weight")));
            String bottleneck = conv(layer + ".conv1", activated, conv1, 1, 0);
            String activatedBottleneck = graph.node("Relu", layer + ".relu2", new String[] {bottleneck});
            String added = conv(layer + ".conv2", activatedBottleneck, Kernel.of(weights.get(layer + ".conv2.weight")), 1, 1);
            x = graph.node("Concat", layer + ".concat", new String[] {x, added}, "axis", 1L);
        }
        return x;
    }

    private String transition(String prefix, String input) {
        String activated = affineRelu(prefix + ".norm", input);
        String pooled = graph.node("AveragePool", prefix + ".pool", new String[] {activated},
                "kernel_shape", new long[] {2, 2}, "strides", new long[] {2, 2});
        return conv(prefix + ".conv", pooled, Kernel.of(weights.get(prefix + ".conv.weight")), 1, 0);
    }

    /** The classifier and the {@link #FEATURES} it pools; returns their channel count. */
    private int classifier(String features) {
        String activated = graph.node("Identity", FEATURES, new String[] {affineRelu("features.norm5", features)});
        String pooled = graph.node("GlobalAveragePool", "pooled", new String[] {activated});
        String flat = graph.node("Flatten", "flattened", new String[] {pooled}, "axis", 1L);
        Kernel linear = Kernel.of(weights.get("classifier.weight"), weights.get("classifier.bias"));
        graph.node("Gemm", LOGITS, new String[] {flat,
                graph.constant("classifier.weight", linear.shape(), linear.weightAsFloat()),
                graph.constant("classifier.bias", new long[] {linear.outputs()}, linear.biasAsFloat())},
                "transB", 1L);
        return linear.inputs();
    }

    /**
     * The batch norm at {@code norm} followed by ReLU, as a depthwise 1x1 convolution (weight s,
     * bias t per channel) and a ReLU that ONNX Runtime fuses into it.
     */
    private String affineRelu(String norm, String x) {
        ChannelAffine bn = ChannelAffine.of(weights, norm);
        int c = bn.channels();
        Kernel depthwise = new Kernel(new long[] {c, 1, 1, 1}, bn.scale(), bn.shift());
        String normalised = graph.node("Conv", norm, new String[] {x,
                graph.constant(norm + ".depthwise_weight", depthwise.shape(), depthwise.weightAsFloat()),
                graph.constant(norm + ".depthwise_bias", new long[] {c}, depthwise.biasAsFloat())},
                "group", (long) c);
        return graph.node("Relu", norm + ".relu", new String[] {normalised});
    }

    private String conv(String name, String x, Kernel kernel, int stride, int padding) {
        String weight = graph.constant(name + ".folded_weight", kernel.shape(), kernel.weightAsFloat());
        String bias = graph.constant(name + ".folded_bias", new long[] {kernel.outputs()}, kernel.biasAsFloat());
        return graph.node("Conv", name, new String[] {x, weight, bias},
                "strides", new long[] {stride, stride}, "pads", new long[] {padding, padding, padding, padding});
    }
}
