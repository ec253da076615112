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
            public ForwardOutput forward(float[][] images, boolean features) {
                int size = (int) imageShape.size();
                float[] flat = new float[images.length * size];
                for (int i = 0; i < images.length; i++) {
                    System.arraycopy(images[i], 0, flat, i * size, size);
                }
                try (NDManager step = network.manager().newSubManager()) {
                    NDArray input = step.create(flat, new Shape(images.length, imageShape.get(0),
                            imageShape.get(1), imageShape.get(2)));
                    NDArray last = network.lastBlock(input);
                    float[][] logits = rows(network.logits(last), images.length);
                    FeatureMap[] maps = null;
                    if (features) {
                        NDArray activated = network.featureMaps(last);
                        Shape shape = activated.getShape();
                        float[][] values = rows(activated, images.length);
                        maps = new FeatureMap[images.length];
                        for (int i = 0; i < maps.length; i++) {
                            maps[i] = new FeatureMap((int) shape.get(1), (int) shape.get(2), (int) shape.get(3), values[i]);
                        }
                    }
                    return new ForwardOutput(logits, maps);
                } catch (RuntimeException e) {
                    throw new PlanException("libtorch forward pass failed: " + e.getMessage(), e);
                }
            }

            @Override
            public void close() {}
        };
    }

    /** The array's values as {@code images} rows, one per image. */
    private static float[][] rows(NDArray batch, int images) {
        float[] all = batch.toFloatArray();
        int perImage = all.length / images;
        float[][] rows = new float[images][];
        for (int i = 0; i < images; i++) {
            rows[i] = java.util.Arrays.copyOfRange(all, i * perImage, (i + 1) * perImage);
        }
        return rows;
    }

    @Override
    public void close() {
        network.close();
    }
}
