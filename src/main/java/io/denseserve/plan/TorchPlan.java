package io.denseserve.plan;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;

/**
 * libtorch through DJL, running {@link LibtorchDenseNet} on CPU or GPU. A {@link ForwardPass}
 * sets the calling thread's OpenMP thread count and turns autograd off (both are per thread in
 * libtorch); each batch's arrays live in a sub-manager closed when the batch returns, so native
 * memory does not grow with requests served.
 */
public final class TorchPlan implements InferencePlan {

    private final LibtorchDenseNet network;
    private final Shape imageShape;
    private final int threads;

    /**
     * @param network the compiled network; the plan owns it
     * @param imageShape channels, height, width of one image
     * @param threads intra-op threads of each forward pass
     */
    TorchPlan(LibtorchDenseNet network, int[] imageShape, int threads) {
        this.network = network;
        this.imageShape = new Shape(imageShape[0], imageShape[1], imageShape[2]);
        this.threads = threads;
    }

    @Override
    public InferenceEngine engine() {
        return InferenceEngine.PYTORCH;
    }

    @Override
    public ForwardPass open() {
        JniUtils.setNumThreads(threads);
        JniUtils.setGradMode(false);
        return new ForwardPass() {
            @Override
            public float[][] logits(float[][] images) {
                int size = (int) imageShape.size();
                float[] flat = new float[images.length * size];
                for (int i = 0; i < images.length; i++) {
                    System.arraycopy(images[i], 0, flat, i * size, size);
                }
                try (NDManager step = network.manager().newSubManager()) {
                    NDArray input = step.create(flat, new Shape(images.length, imageShape.get(0),
                            imageShape.get(1), imageShape.get(2)));
                    NDArray logits = network.logits(input);
                    int classes = (int) logits.getShape().get(1);
                    float[] all = logits.toFloatArray();
                    float[][] rows = new float[images.length][];
                    for (int i = 0; i < rows.length; i++) {
                        rows[i] = java.util.Arrays.copyOfRange(all, i * classes, (i + 1) * classes);
                    }
                    return rows;
                } catch (RuntimeException e) {
                    throw new PlanException("libtorch forward pass failed: " + e.getMessage(), e);
                }
            }

            @Override
            public void close() {}
        };
    }

    @Override
    public void close() {
        network.close();
    }
}
