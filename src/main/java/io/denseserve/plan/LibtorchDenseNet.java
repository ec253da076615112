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
import io.denseserve.fold.Kernel;
import io.denseserve.model.DenseNetConfig;
import io.denseserve.model.Stem;
import io.denseserve.weights.StateDict;
import java.util.ArrayList;
import java.util.List;

/**
 * The libtorch plan's network: a DenseNet's weights as arrays on the device, prepared for
 * inference, and a forward pass written directly in libtorch operations.
 * <ul>
 *   <li>Each dense block allocates its output once; every layer reads a view of the channels
 *       written so far and writes its k channels into the next slice, so no layer concatenates.</li>
 *   <li>{@code norm2} is folded into {@code conv1} and {@code norm0} into {@code conv0}
 *       ({@link ChannelAffine#after}); batch norms that feed a ReLU run as batch norms, so nothing
 *       depends on the sign of a scale.</li>
 *   <li>The ImageNet stem max-pools before its ReLU (both monotone, so they commute) and a
 *       transition pools before its convolution (both linear): each then touches a quarter of the
 *       pixels.</li>
 *   <li>Every intermediate is closed as soon as it is consumed.</li>
 * </ul>
 */
final class LibtorchDenseNet implements AutoCloseable {

    private static final Shape ONE = new Shape(1, 1);
    private static final Shape NONE = new Shape(0, 0);

    private record Conv(NDArray weight, NDArray bias, Shape stride, Shape padding) {
        NDArray apply(NDArray x) {
            return Conv2d.conv2d(x, weight, bias, stride, padding).singletonOrThrow();
        }
    }

    /**
     * A batch norm followed by ReLU. libtorch's batch_norm kernel is fastest on a contiguous input
     * (a one-image view of a block buffer is one); on a strided view (a batched view) two
     * element-wise passes with the folded scale and shift measured about twice as fast.
     */
    private record AffineRelu(NDArray mean, NDArray var, NDArray gamma, NDArray beta, NDArray scale, NDArray shift) {
        NDArray apply(NDArray x, boolean contiguous) {
            NDArray normalised = contiguous
                    ? x.getNDArrayInternal().batchNorm(x, mean, var, gamma, beta, -1, 1f, (float) ChannelAffine.EPS, false)
                            .singletonOrThrow()
                    : x.mul(scale).addi(shift);
            NDArray activated = Activation.relu(normalised);
            normalised.close();
            return activated;
        }
    }

    private record Layer(AffineRelu norm1, Conv conv1, Conv conv2) {}

    private record Block(List<Layer> layers, int growthRate) {}

    private record Transition(AffineRelu norm, Conv conv) {}

    private final NDManager manager;
    private final Stem stem;
    private final Conv conv0;
    private final List<Block> blocks = new ArrayList<>();
    private final List<Transition> transitions = new ArrayList<>();
    private final AffineRelu norm5;
    private final NDArray classifierWeight;
    private final NDArray classifierBias;

    private LibtorchDenseNet(DenseNetConfig config, StateDict weights, NDManager manager) {
        this.manager = manager;
        this.stem = config.stem();
        Kernel stemKernel = Kernel.of(weights.get("features.conv0.weight"));
        conv0 = stem == Stem.IMAGENET
                ? conv(ChannelAffine.of(weights, "features.norm0").after(stemKernel), 2, 3)
                : conv(stemKernel, 1, 1);
        for (int b = 1; b <= config.blockConfig().size(); b++) {
            List<Layer> layers = new ArrayList<>();
            for (int l = 1; l <= config.blockConfig().get(b - 1); l++) {
                String layer = "features.denseblock" + b + ".denselayer" + l;
                Kernel conv1 = ChannelAffine.of(weights, layer + ".norm2").after(Kernel.of(weights.get(layer + ".conv1.weight")));
                layers.add(new Layer(affineRelu(weights, layer + ".norm1"), conv(conv1, 1, 0),
                        conv(Kernel.of(weights.get(layer + ".conv2.weight")), 1, 1)));
            }
            blocks.add(new Block(layers, config.growthRate()));
            if (b < config.blockConfig().size()) {
                String prefix = "features.transition" + b;
                transitions.add(new Transition(affineRelu(weights, prefix + ".norm"),
                        conv(Kernel.of(weights.get(prefix + ".conv.weight")), 1, 0)));
            }
        }
        norm5 = affineRelu(weights, "features.norm5");
        Kernel classifier = Kernel.of(weights.get("classifier.weight"), weights.get("classifier.bias"));
        classifierWeight = manager.create(classifier.weightAsFloat(), new Shape(classifier.shape()));
        classifierBias = manager.create(classifier.biasAsFloat());
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

    /** Logits {@code (N, classes)} for input {@code (N, C, H, W)}; the input is the caller's. */
    NDArray logits(NDArray input) {
        NDArray x = stem(input);
        for (int b = 0; b < blocks.size(); b++) {
            NDArray grown = denseBlock(blocks.get(b), x);
            x.close();
            x = grown;
            if (b < transitions.size()) {
                NDArray reduced = transition(transitions.get(b), x);
                x.close();
                x = reduced;
            }
        }
        NDArray activated = norm5.apply(x, true);
        x.close();
        NDArray pooled = Pool.globalAvgPool2d(activated);
        activated.close();
        NDArray logits = Linear.linear(pooled, classifierWeight, classifierBias).singletonOrThrow();
        pooled.close();
        return logits;
    }

    private NDArray stem(NDArray input) {
        NDArray convolved = conv0.apply(input);
        if (stem == Stem.SMALL_IMAGE) {
            return convolved;
        }
        NDArray pooled = Pool.maxPool2d(convolved, new Shape(3, 3), new Shape(2, 2), ONE, false);
        convolved.close();
        NDArray activated = Activation.relu(pooled);
        pooled.close();
        return activated;
    }

    private static NDArray denseBlock(Block block, NDArray input) {
        Shape in = input.getShape();
        long written = in.get(1);
        Shape outShape = new Shape(in.get(0), written + (long) block.layers().size() * block.growthRate(), in.get(2), in.get(3));
        NDArray buffer = input.getManager().create(outShape, input.getDataType());
        buffer.set(new NDIndex(":, 0:{}", written), input);
        for (Layer layer : block.layers()) {
            try (NDArray seen = buffer.get(new NDIndex(":, 0:{}", written))) {
                NDArray normalised = layer.norm1().apply(seen, seen.getShape().get(0) == 1);
                NDArray bottleneck = layer.conv1().apply(normalised);
                normalised.close();
                NDArray activated = Activation.relu(bottleneck);
                bottleneck.close();
                NDArray added = layer.conv2().apply(activated);
                activated.close();
                buffer.set(new NDIndex(":, {}:{}", written, written + block.growthRate()), added);
                added.close();
            }
            written += block.growthRate();
        }
        return buffer;
    }

    private static NDArray transition(Transition transition, NDArray input) {
        NDArray activated = transition.norm().apply(input, true);
        NDArray pooled = Pool.avgPool2d(activated, new Shape(2, 2), new Shape(2, 2), NONE, false, true);
        activated.close();
        NDArray out = transition.conv().apply(pooled);
        pooled.close();
        return out;
    }

    private Conv conv(Kernel kernel, int stride, int padding) {
        return new Conv(manager.create(kernel.weightAsFloat(), new Shape(kernel.shape())),
                manager.create(kernel.biasAsFloat()),
                new Shape(stride, stride), new Shape(padding, padding));
    }

    private AffineRelu affineRelu(StateDict weights, String norm) {
        ChannelAffine affine = ChannelAffine.of(weights, norm);
        Shape perChannel = new Shape(1, affine.channels(), 1, 1);
        return new AffineRelu(
                manager.create(weights.get(norm + ".running_mean").values()),
                manager.create(weights.get(norm + ".running_var").values()),
                manager.create(weights.get(norm + ".weight").values()),
                manager.create(weights.get(norm + ".bias").values()),
                manager.create(Kernel.toFloat(affine.scale()), perChannel),
                manager.create(Kernel.toFloat(affine.shift()), perChannel));
    }

    @Override
    public void close() {
        manager.close();
    }
}
