package io.denseserve.plan;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValue;
import ai.djl.pytorch.jni.JniUtils;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;

/**
 * libtorch through DJL, on CPU or GPU, running the TorchScript module {@code
 * io.denseserve.torchscript.DenseNetModule} writes from the loaded weights (folds applied, in fp32
 * or bfloat16). A {@link ForwardPass} sets the calling thread's OpenMP thread count and turns
 * autograd off (both are per thread in libtorch); each batch's arrays live in a sub-manager closed
 * when the batch returns, so native memory does not grow with requests served.
 */
public final class TorchPlan implements InferencePlan {

    private final PtNDManager manager;
    private final PtSymbolBlock module;
    private final Precision precision;
    private final Shape imageShape;
    private final int threads;

    /**
     * @param archive the module, as {@code torch.jit.load} reads it
     * @param manager where the module's weights are loaded (its device is where the plan runs); the
     *     plan owns it
     * @param precision the type the module was written in
     * @param imageShape channels, height, width of one image
     * @param threads intra-op threads of each forward pass
     */
    TorchPlan(byte[] archive, NDManager manager, Precision precision, int[] imageShape, int threads) {
        this.manager = (PtNDManager) manager;
        try {
            this.module = JniUtils.loadModule(this.manager, new ByteArrayInputStream(archive), true, false);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.precision = precision;
        this.imageShape = new Shape(imageShape[0], imageShape[1], imageShape[2]);
        this.threads = threads;
    }

    @Override
    public InferenceEngine engine() {
        return InferenceEngine.PYTORCH;
    }

    @Override
    public Precision precision() {
        return precision;
    }

    @Override
    public int threads() {
        return threads;
    }

    @Override
    public boolean passSettingsPerThread() {
        return true;
    }

    @Override
    public ForwardPass open(int threads) {
        bind(threads);
        return new ForwardPass() {
            /** The thread the pass's per-thread settings were applied to. */
            private Thread boundTo = Thread.currentThread();

            @Override
            public ForwardOutput forward(float[][] images, boolean features) {
                if (boundTo != Thread.currentThread()) { // a worker that took over an idle one's pass
                    bind(threads);
                    boundTo = Thread.currentThread();
                }
                int size = (int) imageShape.size();
                float[] flat = new float[images.length * size];
                for (int i = 0; i < images.length; i++) {
                    System.arraycopy(images[i], 0, flat, i * size, size);
                }
                try (PtNDManager step = (PtNDManager) manager.newSubManager()) {
                    NDArray input = step.create(flat, new Shape(images.length, imageShape.get(0),
                            imageShape.get(1), imageShape.get(2)));
                    PtNDArray[] outputs;
                    try (IValue image = IValue.from((PtNDArray) input); IValue asked = IValue.from(features);
                            IValue result = module.forward(image, asked)) {
                        outputs = result.toTensorArray(step);
                    }
                    float[][] logits = rows(outputs[0], images.length);
                    FeatureMap[] maps = null;
                    if (features) {
                        Shape shape = outputs[1].getShape();
                        float[][] values = rows(outputs[1], images.length);
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

    /** libtorch's per-thread settings, on the calling thread. */
    private static void bind(int threads) {
        JniUtils.setNumThreads(threads);
        JniUtils.setGradMode(false);
    }

    /** The array's values as {@code images} rows, one per image. */
    private static float[][] rows(NDArray batch, int images) {
        float[] all = batch.toFloatArray();
        int perImage = all.length / images;
        float[][] rows = new float[images][];
        for (int i = 0; i < images; i++) {
            rows[i] = Arrays.copyOfRange(all, i * perImage, (i + 1) * perImage);
        }
        return rows;
    }

    @Override
    public void close() {
        module.close();
        manager.close();
    }
}
