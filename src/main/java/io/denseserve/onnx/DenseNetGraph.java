package io.denseserve.onnx;

import io.denseserve.fold.ChannelAffine;
import io.denseserve.fold.FoldedDenseNet;
import io.denseserve.fold.Kernel;

/**
 * Writes a loaded DenseNet ({@link FoldedDenseNet}) as an ONNX graph for inference. Each rewrite
 * is exact in real arithmetic:
 * <ul>
 *   <li>the stem's {@code norm0} is folded into {@code conv0}, and each dense layer's {@code norm2}
 *       into {@code conv1} ({@link FoldedDenseNet});</li>
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

    private final FoldedDenseNet network;
    private final GraphBuilder graph = new GraphBuilder("densenet");

    private DenseNetGraph(FoldedDenseNet network) {
        this.network = network;
    }

    /**
     * @param network the loaded network
     * @param height input height the graph declares
     * @param width input width
     * @return the serialized ONNX model
     */
    public static byte[] write(FoldedDenseNet network, int height, int width) {
        return new DenseNetGraph(network).build(height, width);
    }

    private byte[] build(int height, int width) {
        graph.input(INPUT, "N", network.config().inChannels(), height, width);
        String x = stem(INPUT);
        for (FoldedDenseNet.Block block : network.blocks()) {
            for (FoldedDenseNet.Layer layer : block.layers()) {
                x = denseLayer(layer, x);
            }
            if (block.transition() != null) {
                x = transition(block.transition(), x);
            }
        }
        classifier(x);
        graph.output(LOGITS, "N", network.classifier().outputs());
        graph.output(FEATURES, "N", network.classifier().inputs(), "feature_height", "feature_width");
        graph.metadata("architecture", network.config().toString());
        return graph.toBytes();
    }

    private String stem(String input) {
        String conv0 = network.layout().stem().conv0().prefix();
        if (!network.imagenetStem()) {
            return conv(conv0, input, network.stem(), 1, 1);
        }
        String activated = graph.node("Relu", "stem.relu", new String[] {conv(conv0, input, network.stem(), 2, 3)});
        return graph.node("MaxPool", "stem.pool", new String[] {activated},
                "kernel_shape", new long[] {3, 3}, "strides", new long[] {2, 2}, "pads", new long[] {1, 1, 1, 1});
    }

    /** One dense layer: its output channels concatenated to its input. */
    private String denseLayer(FoldedDenseNet.Layer layer, String x) {
        String name = layer.name();
        String bottleneck = conv(name + ".conv1", affineRelu(name + ".norm1", layer.norm1(), x), layer.conv1(), 1, 0);
        String activatedBottleneck = graph.node("Relu", name + ".relu2", new String[] {bottleneck});
        String added = conv(name + ".conv2", activatedBottleneck, layer.conv2(), 1, 1);
        return graph.node("Concat", name + ".concat", new String[] {x, added}, "axis", 1L);
    }

    private String transition(FoldedDenseNet.Transition transition, String input) {
        String name = transition.name();
        String activated = affineRelu(name + ".norm", transition.norm(), input);
        String pooled = graph.node("AveragePool", name + ".pool", new String[] {activated},
                "kernel_shape", new long[] {2, 2}, "strides", new long[] {2, 2});
        return conv(name + ".conv", pooled, transition.conv(), 1, 0);
    }

    /** The classifier and the {@link #FEATURES} it pools. */
    private void classifier(String features) {
        String activated = graph.node("Identity", FEATURES, new String[] {
                affineRelu(network.layout().norm5().prefix(), network.norm5(), features)});
        String pooled = graph.node("GlobalAveragePool", "pooled", new String[] {activated});
        String flat = graph.node("Flatten", "flattened", new String[] {pooled}, "axis", 1L);
        Kernel linear = network.classifier();
        String head = network.layout().head().prefix();
        graph.node("Gemm", LOGITS, new String[] {flat,
                graph.constant(head + ".weight", linear.shape(), linear.weightAsFloat()),
                graph.constant(head + ".bias", new long[] {linear.outputs()}, linear.biasAsFloat())},
                "transB", 1L);
    }

    /**
     * The batch norm {@code bn} followed by ReLU, as a depthwise 1x1 convolution (weight s, bias t
     * per channel) and a ReLU that ONNX Runtime fuses into it.
     */
    private String affineRelu(String norm, ChannelAffine bn, String x) {
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
