package io.denseserve.inference;

import io.denseserve.plan.ForwardOutput;
import io.denseserve.plan.ForwardPass;
import io.denseserve.plan.InferenceEngine;
import io.denseserve.plan.InferencePlan;
import io.denseserve.plan.Precision;

/** An inference plan for the predictor pool's tests: each pass opened runs what {@link #opened} gives it. */
abstract class StubPlan implements InferencePlan {

    /** One pass's forward function, and what it does when told it is idle. */
    interface Forward {
        ForwardOutput forward(float[][] images, boolean features);

        default void idle() {
        }
    }

    /** A plan whose every pass runs {@code forward}, whatever its threads. */
    static StubPlan of(Forward forward) {
        return new StubPlan() {
            @Override
            protected Forward opened(int threads) {
                return forward;
            }
        };
    }

    /** The forward function of a pass opened with {@code threads} intra-op threads. */
    protected abstract Forward opened(int threads);

    @Override
    public InferenceEngine engine() {
        return InferenceEngine.ONNXRUNTIME;
    }

    @Override
    public Precision precision() {
        return Precision.FP32;
    }

    @Override
    public int threads() {
        return 1;
    }

    @Override
    public ForwardPass open(int threads) {
        Forward forward = opened(threads);
        return new ForwardPass() {
            @Override
            public ForwardOutput forward(float[][] images, boolean features) {
                return forward.forward(images, features);
            }

            @Override
            public void idle() {
                forward.idle();
            }

            @Override
            public void close() {}
        };
    }

    @Override
    public void close() {}
}
