package io.denseserve.inference;

import io.denseserve.failure.DeadlineExceededException;
import io.denseserve.failure.InferenceFailedException;
import java.util.concurrent.CompletableFuture;

/**
 * One preprocessed image waiting for a batch. Its future completes with the class probabilities
 * (and the feature maps, if asked for), or exceptionally with {@link DeadlineExceededException} or
 * {@link InferenceFailedException}.
 */
final class InferenceJob {

    final float[] input;
    /** Whether the caller wants the image's feature maps as well (for a class activation map). */
    final boolean features;
    final long enqueuedNanos;
    final long deadlineNanos;
    final CompletableFuture<InferenceResult> result = new CompletableFuture<>();

    InferenceJob(float[] input, boolean features, long enqueuedNanos, long deadlineNanos) {
        this.input = input;
        this.features = features;
        this.enqueuedNanos = enqueuedNanos;
        this.deadlineNanos = deadlineNanos;
    }

    boolean expiredAt(long nanos) {
        return nanos - deadlineNanos > 0;
    }
}
