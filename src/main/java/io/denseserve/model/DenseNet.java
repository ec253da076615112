package io.denseserve.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Linear;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.List;

/**
 * DenseNet (Huang et al., CVPR 2017) as a DJL block, laid out exactly like torchvision's
 * {@code DenseNet} so that its state_dict keys ({@code features.denseblock1.denselayer1.norm1.weight},
 * {@code classifier.bias}, ...) name our parameters: see {@link TorchNames}.
 *
 * <pre>{@code
 * DenseNet net = DenseNet.of(DenseNetVariant.DENSENET121.config(), ForwardMode.LEAN);
 * net.initialize(manager, DataType.FLOAT32, new Shape(1, 3, 224, 224));
 * }</pre>
 *
 * <p>Input is NCHW float32; output is one row of logits per image.
 */
public final class DenseNet extends AbstractBlock {

    private final DenseNetConfig config;
    private final ForwardMode mode;
    private final Features features;
    private final Linear classifier;

    private DenseNet(DenseNetConfig config, ForwardMode mode) {
        this.config = config;
        this.mode = mode;
        this.features = addChildBlock("features", new Features(config, mode));
        this.classifier = addChildBlock("classifier", Linear.builder().setUnits(config.numClasses()).build());
    }

    /**
     * Builds an uninitialised network.
     *
     * @param config the architecture's numbers
     * @param mode how dense blocks hold their feature maps at inference time
     * @return the network
     */
    public static DenseNet of(DenseNetConfig config, ForwardMode mode) {
        return new DenseNet(config, mode);
    }

    /**
     * Learnable parameters, as torchvision counts them ({@code sum(p.numel() for p in
     * model.parameters())}): BatchNorm's running statistics are buffers, not parameters.
     */
    public long parameterCount() {
        return TorchNames.parameters(this).values().stream()
                .filter(p -> p.getType() != ai.djl.nn.Parameter.Type.RUNNING_MEAN
                        && p.getType() != ai.djl.nn.Parameter.Type.RUNNING_VAR)
                .mapToLong(p -> p.getArray().size())
                .sum();
    }

    public DenseNetConfig config() {
        return config;
    }

    public ForwardMode mode() {
        return mode;
    }

    /**
     * Folds batch norms into the convolutions next to them for {@link ForwardMode#LEAN} inference:
     * each dense layer's norm2 into conv1, the ImageNet stem's norm0 into conv0, and, where every
     * scale is positive, norm1 and ReLU into conv1 and a transition's norm and ReLU into its conv
     * ({@link ClippedConv}). Call after the weights are loaded, and again if they change; CONCAT mode and
     * training never use the folded weights.
     */
    public void fuseForInference() {
        features.fuseStem();
        for (ai.djl.nn.Block child : features.getChildren().values()) {
            if (child instanceof DenseBlock block) {
                block.fuseForInference();
            } else if (child instanceof Transition transition) {
                transition.fuseForInference();
            }
        }
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        boolean release = mode == ForwardMode.LEAN && !training;
        NDArray mapped = features.forward(store, inputs, training).singletonOrThrow();
        NDArray activated = Activation.relu(mapped);
        release(mapped, release);
        NDArray pooled = Pool.globalAvgPool2d(activated);
        release(activated, release);
        NDList logits = classifier.forward(store, new NDList(pooled), training);
        release(pooled, release);
        return logits;
    }

    private static void release(NDArray consumed, boolean release) {
        if (release) {
            consumed.close();
        }
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        features.initialize(manager, dataType, inputShapes);
        Shape mapped = features.getOutputShapes(inputShapes)[0];
        classifier.initialize(manager, dataType, new Shape(mapped.get(0), mapped.get(1)));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {new Shape(inputShapes[0].get(0), config.numClasses())};
    }

    /**
     * torchvision's {@code features}: stem, dense blocks and transitions, final batch norm.
     *
     * <p>LEAN inference runs the ImageNet stem as {@code relu(maxpool(conv0'(x)))} with {@code norm0}
     * folded into {@code conv0'}: a batch norm right after a convolution is an affine map of its
     * output channels, and ReLU commutes with max pooling (both are monotone), so this is exact in
     * real arithmetic and skips one pass over the 112x112 map and three quarters of another.
     */
    static final class Features extends TorchSequential {

        /** Children before the first dense block in the ImageNet stem: conv0, norm0, relu0, pool0. */
        private static final int IMAGENET_STEM_STEPS = 4;

        /** The ImageNet stem's steps LEAN runs itself; null for the small-image stem. */
        private final Conv2d conv0;
        private final BatchNorm2d norm0;
        private final Op pool0;
        private NDArray[] foldedStem;

        Features(DenseNetConfig config, ForwardMode mode) {
            super(mode);
            if (config.stem() == Stem.IMAGENET) {
                conv0 = add("conv0", Conv2d.builder().setFilters(config.numInitFeatures())
                        .setKernelShape(new Shape(7, 7)).optStride(new Shape(2, 2))
                        .optPadding(new Shape(3, 3)).optBias(false).build());
                norm0 = add("norm0", new BatchNorm2d());
                add("relu0", Op.relu());
                pool0 = add("pool0", Op.maxPool3x3Stride2());
            } else {
                add("conv0", DenseLayer.conv(config.numInitFeatures(), 3, 1));
                conv0 = null;
                norm0 = null;
                pool0 = null;
            }
            List<Integer> blocks = config.blockConfig();
            int channels = config.numInitFeatures();
            for (int i = 0; i < blocks.size(); i++) {
                add("denseblock" + (i + 1), new DenseBlock(blocks.get(i), config.growthRate(),
                        config.bnSize(), config.dropRate(), mode));
                channels += blocks.get(i) * config.growthRate();
                if (i != blocks.size() - 1) {
                    channels = config.transitionOutput(channels);
                    add("transition" + (i + 1), new Transition(channels, mode));
                }
            }
            add("norm5", new BatchNorm2d());
        }

        void fuseStem() {
            if (conv0 == null) {
                return;
            }
            NDArray[] previous = foldedStem;
            foldedStem = norm0.foldAfter(conv0.getParameters().get("weight").getArray());
            if (previous != null) {
                for (NDArray a : previous) {
                    a.close();
                }
            }
        }

        @Override
        protected NDList forwardInternal(
                ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
            if (training || mode() != ForwardMode.LEAN || foldedStem == null) {
                return super.forwardInternal(store, inputs, training, params);
            }
            NDArray conv = Conv2d.conv2d(inputs.singletonOrThrow(), foldedStem[0], foldedStem[1],
                    new Shape(2, 2), new Shape(3, 3)).singletonOrThrow();
            NDArray pooled = pool0.forward(store, new NDList(conv), false).singletonOrThrow();
            conv.close();
            NDArray activated = Activation.relu(pooled);
            pooled.close();
            return new NDList(forwardFrom(IMAGENET_STEM_STEPS, store, activated, false, true));
        }
    }
}
