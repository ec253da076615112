package io.denseserve.plan;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.NoBatchifyTranslator;
import ai.djl.translate.TranslatorContext;

/**
 * The libtorch plan's tensor code: a batch of preprocessed images (each {@code C*H*W} floats) in,
 * one row of logits per image out. Every NDArray lives in the predictor's per-call context manager
 * and is freed when the call returns, so native memory does not grow with requests served.
 */
final class LogitsTranslator implements NoBatchifyTranslator<float[][], float[][]> {

    private final Shape imageShape;

    LogitsTranslator(int channels, int height, int width) {
        this.imageShape = new Shape(channels, height, width);
    }

    @Override
    public NDList processInput(TranslatorContext ctx, float[][] images) {
        int size = (int) imageShape.size();
        float[] flat = new float[images.length * size];
        for (int i = 0; i < images.length; i++) {
            System.arraycopy(images[i], 0, flat, i * size, size);
        }
        Shape shape = new Shape(images.length, imageShape.get(0), imageShape.get(1), imageShape.get(2));
        return new NDList(ctx.getNDManager().create(flat, shape));
    }

    @Override
    public float[][] processOutput(TranslatorContext ctx, NDList list) {
        NDArray logits = list.singletonOrThrow();
        int n = (int) logits.getShape().get(0);
        int classes = (int) logits.getShape().get(1);
        float[] all = logits.toFloatArray();
        float[][] rows = new float[n][];
        for (int i = 0; i < n; i++) {
            rows[i] = java.util.Arrays.copyOfRange(all, i * classes, (i + 1) * classes);
        }
        return rows;
    }
}
