package io.denseserve.inference;

import java.util.concurrent.CompletableFuture;

/**
 * One preprocessed image waiting for a batch. Its future completes with the class probabilities,
 * or exceptionally with {@link DeadlineExceededException} or {@link InferenceFailedException}.
 */
final class InferenceJob {

    final float[] input;
    final long enqueuedNanos;
    final long deadlineNanos;
    final CompletableFuture<InferenceResult> result = new CompletableFuture<>();

    InferenceJob(float[] input, long enqueuedNanos, long deadlineNanos) {
        this.input = input;
        this.enqueuedNanos = enqueuedNanos;
        this.deadlineNanos = deadlineNanos;
    }

    boolean expiredAt(long nanos) {
        return nanos - deadlineNanos > 0;
    }
}
