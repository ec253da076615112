package io.denseserve.training;

import java.util.Random;

/**
 * Training-time augmentation and the normalisation shared with serving: pixel / 255, minus the
 * training mean, divided by its standard deviation (what the bundle's preprocessing states).
 */
final class Augment {

    static final int PAD = 2;
    private static final int SIDE = FashionMnist.SIDE;

    private Augment() {}

    /** Copies image {@code index} normalised, shifted by up to {@link #PAD} pixels (zero fill) and maybe mirrored. */
    static void cropAndFlip(byte[] images, int index, float[] out, int offset, Random random) {
        int dx = random.nextInt(2 * PAD + 1) - PAD;
        int dy = random.nextInt(2 * PAD + 1) - PAD;
        boolean flip = random.nextBoolean();
        float background = normalise(0);
        int base = index * SIDE * SIDE;
        for (int y = 0; y < SIDE; y++) {
            for (int x = 0; x < SIDE; x++) {
                int sx = (flip ? SIDE - 1 - x : x) + dx;
                int sy = y + dy;
                out[offset + y * SIDE + x] = sx < 0 || sy < 0 || sx >= SIDE || sy >= SIDE
                        ? background : normalise(images[base + sy * SIDE + sx] & 0xff);
            }
        }
    }

    static void normalise(byte[] images, int index, float[] out, int offset) {
        int base = index * SIDE * SIDE;
        for (int i = 0; i < SIDE * SIDE; i++) {
            out[offset + i] = normalise(images[base + i] & 0xff);
        }
    }

    /** Must equal ImagePreprocessor's arithmetic for a 28x28 grayscale image. */
    static float normalise(int pixel) {
        float v = pixel / 255f;
        return (v - (float) FashionMnist.MEAN) / (float) FashionMnist.STD;
    }
}
