package io.denseserve.plan;

/**
 * Forward passes of one {@link InferencePlan} on one thread: not thread-safe, reused across
 * batches. Each image is {@code C*H*W} floats, preprocessed as the model's bundle says.
 */
public interface ForwardPass extends AutoCloseable {

    /**
     * Runs a batch.
     *
     * @param features whether to return each image's last feature maps as well (for class
     *     activation maps); they come from the same pass at no extra convolution
     */
    ForwardOutput forward(float[][] images, boolean features);

    /** Raw logits, one row per image: what conformance tests compare with torchvision. */
    default float[][] logits(float[][] images) {
        return forward(images, false).logits();
    }

    /** Softmax probabilities, one row per image. */
    default float[][] probabilities(float[][] images) {
        return Softmax.rows(logits(images));
    }

    /**
     * The pass will not run for a while (its worker idled out): the engine may free what it holds
     * between runs, threads above all, and take it again on the next {@link #forward}, which then
     * takes longer. ONNX Runtime's pass closes its {@code OrtSession}; libtorch's holds nothing of its own.
     */
    default void idle() {
    }

    @Override
    void close();
}
