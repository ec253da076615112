package io.denseserve.training;

import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * SGD with Nesterov momentum and L2 weight decay, as {@code torch.optim.SGD(nesterov=True)}
 * computes it (DJL's {@code Sgd} has no Nesterov option):
 * {@code g = grad + wd*w; v = mu*v + g; w -= lr * (g + mu*v)}.
 */
public final class NesterovSgd extends Optimizer {

    private final Tracker learningRate;
    private final float momentum;
    private final Map<String, NDArray> velocity = new ConcurrentHashMap<>();

    public NesterovSgd(Tracker learningRate, float momentum, float weightDecay) {
        super(Optimizer.sgd().setLearningRateTracker(learningRate).optWeightDecays(weightDecay));
        this.learningRate = learningRate;
        this.momentum = momentum;
    }

    @Override
    public void update(String parameterId, NDArray weight, NDArray grad) {
        float lr = learningRate.getNewValue(updateCount(parameterId));
        try (NDArray g = grad.mul(rescaleGrad).addi(weight.mul(getWeightDecay()))) {
            NDArray v = velocity.computeIfAbsent(parameterId, k -> weight.zerosLike());
            v.muli(momentum).addi(g);
            try (NDArray step = v.mul(momentum).addi(g).muli(lr)) {
                weight.subi(step);
            }
        }
        // On the PyTorch engine gradients accumulate until the optimizer clears them (DJL's own
        // Sgd does the same after its update).
        JniUtils.zeroGrad((PtNDArray) weight);
    }
}
