package io.denseserve.plan;

import ai.djl.Model;
import ai.djl.inference.Predictor;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.translate.TranslateException;

/**
 * libtorch through DJL, on our DenseNet blocks with their inference folds, on CPU or GPU. Each
 * {@link ForwardPass} is a DJL predictor (predictors are not thread-safe) on a thread whose OpenMP
 * thread count and grad mode it sets: both are per thread in libtorch.
 */
public final class TorchPlan implements InferencePlan {

    private final Model model;
    private final LogitsTranslator translator;
    private final int threads;

    /**
     * @param model a DJL PyTorch model whose block is the loaded DenseNet; the plan owns it
     * @param imageShape channels, height, width of one image
     * @param threads intra-op threads of each forward pass
     */
    public TorchPlan(Model model, int[] imageShape, int threads) {
        this.model = model;
        this.translator = new LogitsTranslator(imageShape[0], imageShape[1], imageShape[2]);
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
        Predictor<float[][], float[][]> predictor = model.newPredictor(translator);
        return new ForwardPass() {
            @Override
            public float[][] logits(float[][] images) {
                try {
                    return predictor.predict(images);
                } catch (TranslateException e) {
                    throw new PlanException("libtorch forward pass failed: " + e.getMessage(), e);
                }
            }

            @Override
            public void close() {
                predictor.close();
            }
        };
    }

    @Override
    public void close() {
        model.close();
    }
}
