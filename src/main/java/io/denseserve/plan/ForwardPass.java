package io.denseserve.plan;

/**
 * Forward passes of one {@link InferencePlan} on one thread: not thread-safe, reused across
 * batches. Each image is {@code C*H*W} floats, preprocessed as the model's bundle says.
 */
public interface ForwardPass extends AutoCloseable {

    /** Raw logits, one row per image: what conformance tests compare with torchvision. */
    float[][] logits(float[][] images);

    /** Softmax probabilities, one row per image. */
    default float[][] probabilities(float[][] images) {
        return Softmax.rows(logits(images));
    }

    @Override
    void close();
}
