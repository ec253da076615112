package io.denseserve.plan;

/** Softmax over each row of logits, in double precision, the same for every engine. */
public final class Softmax {

    private Softmax() {}

    public static float[][] rows(float[][] logits) {
        float[][] out = new float[logits.length][];
        for (int r = 0; r < logits.length; r++) {
            float[] row = logits[r];
            double max = Double.NEGATIVE_INFINITY;
            for (float v : row) {
                max = Math.max(max, v);
            }
            double[] e = new double[row.length];
            double sum = 0;
            for (int i = 0; i < row.length; i++) {
                e[i] = Math.exp(row[i] - max);
                sum += e[i];
            }
            float[] p = new float[row.length];
            for (int i = 0; i < row.length; i++) {
                p[i] = (float) (e[i] / sum);
            }
            out[r] = p;
        }
        return out;
    }
}
