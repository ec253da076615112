package io.denseserve.explain;

import io.denseserve.preprocess.DecodedImage;

/**
 * An image scaled down to fit a square, by averaging the source pixels under each output pixel:
 * what an overlay is drawn on, so that its cost and size do not grow with the upload's pixels.
 */
public final class Thumbnail {

    private Thumbnail() {}

    /** The image itself when it fits in {@code maxSide x maxSide}, else a box-filtered copy that does. */
    public static DecodedImage of(DecodedImage image, int maxSide) {
        int longer = Math.max(image.width(), image.height());
        if (longer <= maxSide) {
            return image;
        }
        int width = Math.max(1, (int) Math.round((double) image.width() * maxSide / longer));
        int height = Math.max(1, (int) Math.round((double) image.height() * maxSide / longer));
        byte[] src = image.rgb();
        byte[] out = new byte[width * height * 3];
        for (int y = 0; y < height; y++) {
            int sy0 = (int) ((long) y * image.height() / height);
            int sy1 = Math.max(sy0 + 1, (int) ((long) (y + 1) * image.height() / height));
            for (int x = 0; x < width; x++) {
                int sx0 = (int) ((long) x * image.width() / width);
                int sx1 = Math.max(sx0 + 1, (int) ((long) (x + 1) * image.width() / width));
                long r = 0;
                long g = 0;
                long b = 0;
                for (int sy = sy0; sy < sy1; sy++) {
                    int row = sy * image.width();
                    for (int sx = sx0; sx < sx1; sx++) {
                        int i = (row + sx) * 3;
                        r += src[i] & 0xff;
                        g += src[i + 1] & 0xff;
                        b += src[i + 2] & 0xff;
                    }
                }
                long n = (long) (sy1 - sy0) * (sx1 - sx0);
                int o = (y * width + x) * 3;
                out[o] = (byte) ((r + n / 2) / n);
                out[o + 1] = (byte) ((g + n / 2) / n);
                out[o + 2] = (byte) ((b + n / 2) / n);
            }
        }
        return new DecodedImage(out, width, height, image.format());
    }
}
