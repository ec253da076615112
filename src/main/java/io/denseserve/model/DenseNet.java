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
 * {@code DenseNet} ({@link DenseNetLayout} names its parts) so that its state_dict keys name our
 * parameters: see {@link TorchNames}.
 *
 * <pre>{@code
 * DenseNet net = DenseNet.of(DenseNetVariant.DENSENET121.config());
 * net.initialize(manager, DataType.FLOAT32, new Shape(1, 3, 224, 224));
 * }</pre>
 *
 * <p>Input is NCHW float32; output is one row of logits per image. This is the definition, used
 * for training and as the in-Java reference; serving runs an inference plan compiled from its
 * weights ({@code io.denseserve.plan}).
 */
public final class DenseNet extends AbstractBlock {

    private final DenseNetLayout layout;
    private final Features features;
    private final Linear classifier;

    private DenseNet(DenseNetConfig config) {
        this.layout = DenseNetLayout.of(config);
        this.features = addChildBlock("features", new Features(layout));
        this.classifier = addChildBlock(layout.head().prefix(), Linear.builder().setUnits(config.numClasses()).build());
    }

    /**
     * Builds an uninitialised network.
     *
     * @param config the architecture's numbers
     * @return the network
     */
    public static DenseNet of(DenseNetConfig config) {
        return new DenseNet(config);
    }

    /**
     * Learnable parameters, as torchvision counts them ({@code sum(p.numel() for p in
     * model.parameters())}): BatchNorm's running statistics are buffers, not parameters.
     */
    public long parameterCount() {
        return layout.parameterCount();
    }

    public DenseNetConfig config() {
        return layout.config();
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray mapped = features.forward(store, inputs, training).singletonOrThrow();
        NDArray pooled = Pool.globalAvgPool2d(Activation.relu(mapped));
        return classifier.forward(store, new NDList(pooled), training);
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        features.initialize(manager, dataType, inputShapes);
        Shape mapped = features.getOutputShapes(inputShapes)[0];
        classifier.initialize(manager, dataType, new Shape(mapped.get(0), mapped.get(1)));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {new Shape(inputShapes[0].get(0), layout.config().numClasses())};
    }

    /** torchvision's {@code features}: stem, dense blocks and transitions, final batch norm. */
    static final class Features extends TorchSequential {

        Features(DenseNetLayout layout) {
            DenseNetConfig config = layout.config();
            String conv0 = DenseNetLayout.child(layout.stem().conv0().prefix());
            if (config.stem() == Stem.IMAGENET) {
                add(conv0, Conv2d.builder().setFilters(config.numInitFeatures())
                        .setKernelShape(new Shape(7, 7)).optStride(new Shape(2, 2))
                        .optPadding(new Shape(3, 3)).optBias(false).build());
                add(DenseNetLayout.child(layout.stem().norm0().prefix()), new BatchNorm2d());
                add("relu0", Op.relu());
                add("pool0", Op.maxPool3x3Stride2());
            } else {
                add(conv0, DenseLayer.conv(config.numInitFeatures(), 3, 1));
            }
            for (DenseNetLayout.Block block : layout.blocks()) {
                List<String> layers = block.layers().stream().map(l -> DenseNetLayout.child(l.prefix())).toList();
                add(DenseNetLayout.child(block.prefix()), new DenseBlock(layers, config.growthRate(), config.bnSize(),
                        config.dropRate()));
                if (block.transition() != null) {
                    add(DenseNetLayout.child(block.transition().prefix()), new Transition(block.transition().conv().outputs()));
                }
            }
            add(DenseNetLayout.child(layout.norm5().prefix()), new BatchNorm2d());
        }
    }
}
