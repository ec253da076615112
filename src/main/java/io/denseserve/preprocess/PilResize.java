package io.denseserve.preprocess;

import java.util.Arrays;

/**
 * Pillow's {@code Image.resize(size, Image.BILINEAR)} for 8-bit images, reproduced step for step
 * so that preprocessing matches torchvision's transforms on PIL images: an antialiased triangle
 * filter whose support widens with the downscale factor, separable, horizontal pass first, with
 * Pillow's 22-bit fixed-point coefficients and 8-bit rounding between the passes.
 */
final class PilResize {

    private static final int PRECISION_BITS = 32 - 8 - 2;
    private static final double SUPPORT = 1.0;

    private PilResize() {}

    /**
     * Resizes interleaved 8-bit pixels.
     *
     * @param in {@code height * width * channels} bytes, row-major, channels interleaved
     * @return {@code outHeight * outWidth * channels} bytes
     */
    static byte[] resize(byte[] in, int width, int height, int channels, int outWidth, int outHeight) {
        byte[] pixels = in;
        int w = width;
        if (outWidth != width) {
            pixels = horizontal(pixels, width, height, channels, outWidth);
            w = outWidth;
        }
        if (outHeight != height) {
            pixels = vertical(pixels, w, height, channels, outHeight);
        }
        return pixels == in ? in.clone() : pixels;
    }

    /** Pillow's {@code precompute_coeffs} + {@code normalize_coeffs_8bpc}: bounds and fixed-point weights. */
    private static final class Coefficients {
        final int ksize;
        final int[] min;
        final int[] count;
        final int[] weights;

        Coefficients(int inSize, int outSize) {
            double scale = (double) inSize / outSize;
            double filterScale = Math.max(scale, 1.0);
            double support = SUPPORT * filterScale;
            ksize = (int) Math.ceil(support) * 2 + 1;
            min = new int[outSize];
            count = new int[outSize];
            weights = new int[outSize * ksize];
            double[] k = new double[ksize];
            for (int xx = 0; xx < outSize; xx++) {
                double center = (xx + 0.5) * scale;
                double ss = 1.0 / filterScale;
                int xmin = Math.max((int) (center - support + 0.5), 0);
                int xmax = Math.min((int) (center + support + 0.5), inSize) - xmin;
                double ww = 0;
                for (int x = 0; x < xmax; x++) {
                    double t = Math.abs((x + xmin - center + 0.5) * ss);
                    k[x] = t < 1.0 ? 1.0 - t : 0.0;
                    ww += k[x];
                }
                for (int x = 0; x < xmax; x++) {
                    double w = ww != 0.0 ? k[x] / ww : k[x];
                    weights[xx * ksize + x] = (int) (w < 0 ? -0.5 + w * (1 << PRECISION_BITS) : 0.5 + w * (1 << PRECISION_BITS));
                }
                min[xx] = xmin;
                count[xx] = xmax;
            }
        }
    }

    private static byte[] horizontal(byte[] in, int width, int height, int channels, int outWidth) {
        Coefficients c = new Coefficients(width, outWidth);
        byte[] out = new byte[height * outWidth * channels];
        int[] sums = new int[channels];
        for (int y = 0; y < height; y++) {
            int rowIn = y * width * channels;
            int rowOut = y * outWidth * channels;
            for (int xx = 0; xx < outWidth; xx++) {
                int kBase = xx * c.ksize;
                Arrays.fill(sums, 1 << (PRECISION_BITS - 1));
                // All channels of a pixel in one pass over the taps; integer sums, so the order of
                // accumulation does not change the result.
                for (int x = 0; x < c.count[xx]; x++) {
                    int w = c.weights[kBase + x];
                    int at = rowIn + (x + c.min[xx]) * channels;
                    for (int ch = 0; ch < channels; ch++) {
                        sums[ch] += (in[at + ch] & 0xff) * w;
                    }
                }
                for (int ch = 0; ch < channels; ch++) {
                    out[rowOut + xx * channels + ch] = clip8(sums[ch]);
                }
            }
        }
        return out;
    }

    private static byte[] vertical(byte[] in, int width, int height, int channels, int outHeight) {
        Coefficients c = new Coefficients(height, outHeight);
        int stride = width * channels;
        byte[] out = new byte[outHeight * stride];
        int[] sums = new int[stride];
        for (int yy = 0; yy < outHeight; yy++) {
            int kBase = yy * c.ksize;
            Arrays.fill(sums, 1 << (PRECISION_BITS - 1));
            // Row by row, so that the inner loop runs along memory (integer sums: same result).
            for (int y = 0; y < c.count[yy]; y++) {
                int w = c.weights[kBase + y];
                int row = (y + c.min[yy]) * stride;
                for (int i = 0; i < stride; i++) {
                    sums[i] += (in[row + i] & 0xff) * w;
                }
            }
            for (int i = 0; i < stride; i++) {
                out[yy * stride + i] = clip8(sums[i]);
            }
        }
        return out;
    }

    private static byte clip8(int in) {
        if (in >= (1 << PRECISION_BITS << 8)) {
            return (byte) 255;
        }
        if (in <= 0) {
            return 0;
        }
        return (byte) (in >> PRECISION_BITS);
    }
}
