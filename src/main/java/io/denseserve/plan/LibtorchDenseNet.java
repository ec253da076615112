package io.denseserve.plan;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.pooling.Pool;
import io.denseserve.fold.ChannelAffine;
import io.denseserve.fold.ClampedInput;
import io.denseserve.fold.Kernel;
import io.denseserve.model.DenseNetConfig;
import io.denseserve.model.Stem;
import io.denseserve.weights.StateDict;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * The libtorch plan's network: a DenseNet's weights as arrays on the device, prepared for
 * inference, and a forward pass written directly in libtorch operations.
 * <ul>
 *   <li>Each dense block allocates its output once; every layer reads a view of the channels
 *       written so far and writes its k channels into the next slice, so no layer concatenates.</li>
 *   <li>{@code norm2} is folded into {@code conv1} and {@code norm0} into {@code conv0}
 *       ({@link ChannelAffine#after}); every batch norm that feeds a ReLU and then a 1x1
 *       convolution (dense layers, transitions, the classifier) becomes a per-channel clamp and a
 *       folded convolution ({@link ClampedInput}), exact for any sign of a scale.</li>
 *   <li>The ImageNet stem's max pool runs as element-wise maxima of strided views after its
 *       ReLU ({@link #halveMax}), and a transition pools before its convolution (both linear),
 *       which then touches a quarter of the pixels.</li>
 *   <li>Every intermediate is closed as soon as it is consumed.</li>
 * </ul>
 */
final class LibtorchDenseNet implements AutoCloseable {

    private static final Shape NONE = new Shape(0, 0);

    /** A convolution, or a linear layer where the weight has two dimensions. */
    private record Conv(NDArray weight, NDArray bias, Shape stride, Shape padding) {
        NDArray apply(NDArray x) {
            return weight.getShape().dimension() == 2
                    ? Linear.linear(x, weight, bias).singletonOrThrow()
                    : Conv2d.conv2d(x, weight, bias, stride, padding).singletonOrThrow();
        }
    }

    /**
     * A batch norm, ReLU, an optional linear pooling and a 1x1 convolution as {@link ClampedInput}
     * rewrites them: one element-wise maximum over the input with per-channel lower bounds instead
     * of a batch norm and a ReLU (two passes, each writing a new array), then the upper bounds of
     * the few negative-scale channels applied to those channels alone.
     */
    private record ClampedConv(NDArray lower, NDIndex upperBounded, NDArray upper, Conv conv) {
        NDArray apply(NDArray x, UnaryOperator<NDArray> pool) {
            try (NDArray clamped = x.maximum(lower)) {
                if (upperBounded != null) {
                    try (NDArray picked = x.get(upperBounded); NDArray bounded = picked.minimum(upper)) {
                        clamped.set(upperBounded, bounded);
                    }
                }
                try (NDArray pooled = pool.apply(clamped)) {
                    return conv.apply(pooled);
                }
            }
        }
    }

    /** The slices of a dense block's buffer that one layer reads and writes. */
    private record Layer(NDIndex reads, ClampedConv conv1, Conv conv2, NDIndex writes) {}

    /** A dense block: its layers, and the channels of the buffer it fills. */
    private record Block(List<Layer> layers, int outputs) {}

    private final NDManager manager;
    private final Stem stem;
    private final Conv conv0;
    private final List<Block> blocks = new ArrayList<>();
    /** Each transition's batch norm, ReLU, pooling and convolution. */
    private final List<ClampedConv> transitions = new ArrayList<>();
    private final ClampedConv classifier;
    private final NDArray norm5Scale;
    private final NDArray norm5Shift;

    private LibtorchDenseNet(DenseNetConfig config, StateDict weights, NDManager manager) {
        this.manager = manager;
        this.stem = config.stem();
        Kernel stemKernel = Kernel.of(weights.get("features.conv0.weight"));
        conv0 = stem == Stem.IMAGENET
                ? conv(ChannelAffine.of(weights, "features.norm0").after(stemKernel), 2, 3)
                : conv(stemKernel, 1, 1);
        int growth = config.growthRate();
        for (int b = 1; b <= config.blockConfig().size(); b++) {
            List<Layer> layers = new ArrayList<>();
            int written = (int) weights.get("features.denseblock" + b + ".denselayer1.norm1.weight").shape()[0];
            for (int l = 1; l <= config.blockConfig().get(b - 1); l++) {
                String layer = "features.denseblock" + b + ".denselayer" + l;
                Kernel conv1 = ChannelAffine.of(weights, layer + ".norm2").after(Kernel.of(weights.get(layer + ".conv1.weight")));
                layers.add(new Layer(new NDIndex(":, 0:{}", written),
                        clampedConv(weights, layer + ".norm1", conv1),
                        conv(Kernel.of(weights.get(layer + ".conv2.weight")), 1, 1),
                        new NDIndex(":, {}:{}", written, written + growth)));
                written += growth;
            }
            blocks.add(new Block(layers, written));
            if (b < config.blockConfig().size()) {
                String prefix = "features.transition" + b;
                transitions.add(clampedConv(weights, prefix + ".norm", Kernel.of(weights.get(prefix + ".conv.weight"))));
            }
        }
        classifier = clampedConv(weights, "features.norm5",
                Kernel.of(weights.get("classifier.weight"), weights.get("classifier.bias")));
        ChannelAffine norm5 = ChannelAffine.of(weights, "features.norm5");
        Shape perChannel = new Shape(1, norm5.channels(), 1, 1);
        norm5Scale = manager.create(Kernel.toFloat(norm5.scale()), perChannel);
        norm5Shift = manager.create(Kernel.toFloat(norm5.shift()), perChannel);
    }

    /**
     * @param manager where the weights live (its device is where the plan runs); closed with this
     */
    static LibtorchDenseNet compile(DenseNetConfig config, StateDict weights, NDManager manager) {
        return new LibtorchDenseNet(config, weights, manager);
    }

    NDManager manager() {
        return manager;
    }

    /**
     * The last dense block's output {@code (N, channels, h, w)} for input {@code (N, C, H, W)}: what
     * {@link #logits} and {@link #featureMaps} take. The input is the caller's.
     */
    NDArray lastBlock(NDArray input) {
        NDArray x = stem(input);
        for (int b = 0; b < blocks.size(); b++) {
            NDArray grown = denseBlock(blocks.get(b), x);
            x.close();
            x = grown;
            if (b < transitions.size()) {
                NDArray reduced = transitions.get(b).apply(x, LibtorchDenseNet::halve);
                x.close();
                x = reduced;
            }
        }
        return x;
    }

    /** Logits {@code (N, classes)} from {@link #lastBlock}'s output. */
    NDArray logits(NDArray lastBlock) {
        return classifier.apply(lastBlock, Pool::globalAvgPool2d);
    }

    /** {@code relu(norm5(x))} from {@link #lastBlock}'s output: the maps the classifier pools. */
    NDArray featureMaps(NDArray lastBlock) {
        try (NDArray normalised = lastBlock.mul(norm5Scale).addi(norm5Shift)) {
            return Activation.relu(normalised);
        }
    }

    private static NDArray halve(NDArray x) {
        return Pool.avgPool2d(x, new Shape(2, 2), new Shape(2, 2), NONE, false, true);
    }

    private NDArray stem(NDArray input) {
        NDArray convolved = conv0.apply(input);
        if (stem == Stem.SMALL_IMAGE) {
            return convolved;
        }
        NDArray activated = Activation.relu(convolved);
        convolved.close();
        // The view halveMax returns shares activated's storage, which stays alive with it.
        return halveMax(halveMax(activated, 2), 3);
    }

    /**
     * The stem's 3x3, stride-2, padding-1 max pool along one axis (2: rows, 3: columns) of a
     * non-negative array, so the ReLU before it makes zero padding the same as torch's -inf:
     * output {@code i} is the max of inputs {@code 2i-1, 2i, 2i+1}, computed as the even inputs
     * raised to the odd ones on either side, in place. Returns the even inputs' view. Several
     * times faster than libtorch's {@code max_pool2d} on DenseNet-121's stem output
     * ({@code StemPoolBench}, BENCHMARKS.md §2).
     */
    static NDArray halveMax(NDArray x, int axis) {
        long size = x.getShape().get(axis);
        long evens = (size + 1) / 2;
        String leading = axis == 2 ? ":, :, " : ":, :, :, ";
        NDArray even = x.get(new NDIndex(leading + "0::2"));
        try (NDArray odd = x.get(new NDIndex(leading + "1::2"))) {
            NDIndex paired = new NDIndex(leading + "0:{}", size / 2);
            try (NDArray before = even.get(paired); NDArray raised = before.maximum(odd)) {
                even.set(paired, raised);
            }
            if (evens > 1) {
                NDIndex afterFirst = new NDIndex(leading + "1:");
                try (NDArray after = even.get(afterFirst); NDArray preceding = odd.get(new NDIndex(leading + "0:{}", evens - 1));
                        NDArray raised = after.maximum(preceding)) {
                    even.set(afterFirst, raised);
                }
            }
        }
        return even;
    }

    private static NDArray denseBlock(Block block, NDArray input) {
        Shape in = input.getShape();
        NDArray buffer = input.getManager().create(new Shape(in.get(0), block.outputs(), in.get(2), in.get(3)),
                input.getDataType());
        buffer.set(block.layers().get(0).reads(), input);
        for (Layer layer : block.layers()) {
            try (NDArray seen = buffer.get(layer.reads());
                    NDArray bottleneck = layer.conv1().apply(seen, UnaryOperator.identity());
                    NDArray activated = Activation.relu(bottleneck);
                    NDArray added = layer.conv2().apply(activated)) {
                buffer.set(layer.writes(), added);
            }
        }
        return buffer;
    }

    private Conv conv(Kernel kernel, int stride, int padding) {
        return new Conv(manager.create(kernel.weightAsFloat(), new Shape(kernel.shape())),
                manager.create(kernel.biasAsFloat()),
                new Shape(stride, stride), new Shape(padding, padding));
    }

    private ClampedConv clampedConv(StateDict weights, String norm, Kernel conv) {
        ClampedInput folded = ClampedInput.of(ChannelAffine.of(weights, norm), conv);
        int channels = folded.lower().length;
        NDArray lower = manager.create(Kernel.toFloat(folded.lower()), new Shape(1, channels, 1, 1));
        if (folded.upperBounded().length == 0) {
            return new ClampedConv(lower, null, null, conv(folded.conv(), 1, 0));
        }
        int[] picked = folded.upperBounded();
        float[] upper = new float[picked.length];
        for (int j = 0; j < picked.length; j++) {
            upper[j] = (float) folded.upper()[picked[j]];
        }
        return new ClampedConv(lower,
                new NDIndex(":, {}", manager.create(java.util.Arrays.stream(picked).asLongStream().toArray())),
                manager.create(upper, new Shape(1, picked.length, 1, 1)), conv(folded.conv(), 1, 0));
    }

    @Override
    public void close() {
        manager.close();
    }
}
