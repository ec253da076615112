package io.denseserve.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
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

    /**
     * Folds this batch norm into the convolution that feeds it: {@code bn(conv(x, W))} equals
     * {@code conv(x, W * s) + (beta - mean * s)} with {@code s = gamma / sqrt(var + eps)}, exactly in
     * real arithmetic, so inference can skip one pass over the activations.
     *
     * @param convWeight the preceding convolution's weight (out, in, kh, kw), no bias
     * @return the folded weight and bias, owned by {@code convWeight}'s manager
     */
    NDArray[] foldAfter(NDArray convWeight) {
        NDArray mean = runningMean.getArray();
        NDArray scale = weight.getArray().div(runningVar.getArray().add(EPS).sqrt());
        NDArray foldedWeight = convWeight.mul(scale.reshape(-1, 1, 1, 1));
        NDArray foldedBias = bias.getArray().sub(mean.mul(scale));
        scale.close();
        foldedWeight.attach(convWeight.getManager());
        foldedBias.attach(convWeight.getManager());
        return new NDArray[] {foldedWeight, foldedBias};
    }

    /**
     * This batch norm as {@code x * scale + shift} with broadcastable (1, C, 1, 1) arrays: libtorch's
     * batch_norm kernel is several times slower on a strided view (a dense block's buffer slice at
     * batch > 1) than two element-wise passes.
     */
    NDArray[] asAffine() {
        NDArray scale = weight.getArray().div(runningVar.getArray().add(EPS).sqrt());
        NDArray shift = bias.getArray().sub(runningMean.getArray().mul(scale));
        NDManager owner = weight.getArray().getManager();
        NDArray[] affine = {scale.reshape(1, -1, 1, 1), shift.reshape(1, -1, 1, 1)};
        for (NDArray a : affine) {
            a.attach(owner);
        }
        return affine;
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }
}
