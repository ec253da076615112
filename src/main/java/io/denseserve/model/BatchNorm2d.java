package io.denseserve.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * {@code torch.nn.BatchNorm2d} over NCHW input, with torchvision's parameter names ({@code weight},
 * {@code bias}, {@code running_mean}, {@code running_var}).
 *
 * <p>Why not DJL's {@code BatchNorm}: on the PyTorch engine it wraps every call in two
 * {@code swapAxes} and a sub-manager re-attach, even for the channel axis libtorch already
 * normalises, and its parameter names ({@code gamma}, {@code runningMean}) are not the checkpoint
 * contract. This block calls libtorch's {@code batch_norm} directly.
 */
public final class BatchNorm2d extends AbstractBlock {

    /** torch's default {@code eps}. */
    static final float EPS = 1e-5f;

    /** torch's {@code momentum=0.1}; DJL's engine API takes it as {@code 1 - momentum}. */
    static final float DJL_MOMENTUM = 0.9f;

    private final Parameter weight;
    private final Parameter bias;
    private final Parameter runningMean;
    private final Parameter runningVar;

    /** Creates a batch norm whose channel count is taken from the first input shape. */
    public BatchNorm2d() {
        weight = addParameter(Parameter.builder().setName("weight").setType(Parameter.Type.GAMMA).build());
        bias = addParameter(Parameter.builder().setName("bias").setType(Parameter.Type.BETA).build());
        runningMean =
                addParameter(
                        Parameter.builder()
                                .setName("running_mean")
                                .setType(Parameter.Type.RUNNING_MEAN)
                                .optRequiresGrad(false)
                                .build());
        runningVar =
                addParameter(
                        Parameter.builder()
                                .setName("running_var")
                                .setType(Parameter.Type.RUNNING_VAR)
                                .optRequiresGrad(false)
                                .build());
    }

    @Override
    protected void prepare(Shape[] inputShapes) {
        Shape channels = new Shape(inputShapes[0].get(1));
        weight.setShape(channels);
        bias.setShape(channels);
        runningMean.setShape(channels);
        runningVar.setShape(channels);
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        // axis -1 asks the engine for libtorch's native NCHW batch_norm (channel axis 1).
        return x.getNDArrayInternal()
                .batchNorm(
                        x,
                        store.getValue(runningMean, x.getDevice(), training),
                        store.getValue(runningVar, x.getDevice(), training),
                        store.getValue(weight, x.getDevice(), training),
                        store.getValue(bias, x.getDevice(), training),
                        -1,
                        DJL_MOMENTUM,
                        EPS,
                        training);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }
}
