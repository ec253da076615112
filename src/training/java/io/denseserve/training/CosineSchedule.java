package io.denseserve.training;

import ai.djl.training.tracker.Tracker;

/**
 * Learning rate: linear warm-up, then a cosine decay to zero at {@code totalSteps}, counted in
 * optimizer updates from {@code offset} (so a resumed run continues the same curve).
 */
public final class CosineSchedule implements Tracker {

    private final float peak;
    private final int warmupSteps;
    private final int totalSteps;
    private volatile int offset;

    public CosineSchedule(float peak, int warmupSteps, int totalSteps) {
        this.peak = peak;
        this.warmupSteps = warmupSteps;
        this.totalSteps = totalSteps;
    }

    /** Steps already taken before this run (a resumed checkpoint's). */
    public void setOffset(int offset) {
        this.offset = offset;
    }

    @Override
    public float getNewValue(int numUpdate) {
        return valueAtStep(numUpdate + offset);
    }

    /** The learning rate at an absolute step of the whole schedule. */
    public float valueAtStep(int step) {
        if (step < warmupSteps) {
            return peak * (step + 1) / warmupSteps;
        }
        double progress = Math.min(1.0, (double) (step - warmupSteps) / Math.max(1, totalSteps - warmupSteps));
        return (float) (0.5 * peak * (1 + Math.cos(Math.PI * progress)));
    }
}
