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
        return resizeWindow(in, width, height, channels, outWidth, outHeight, 0, 0, outWidth, outHeight);
    }

    /**
     * The window {@code [left, left + windowWidth) x [top, top + windowHeight)} of {@link #resize}'s
     * output. Every output pixel depends only on its own taps, so this equals cropping the whole
     * resized image, without computing the pixels the crop drops (a quarter of them for a
     * 256-then-224 center crop).
     */
    static byte[] resizeWindow(byte[] in, int width, int height, int channels, int outWidth, int outHeight,
            int left, int top, int windowWidth, int windowHeight) {
        if (left < 0 || top < 0 || left + windowWidth > outWidth || top + windowHeight > outHeight) {
            throw new IllegalArgumentException("window outside the resized image");
        }
        Coefficients rows = outHeight != height ? new Coefficients(height, outHeight) : null;
        // The input rows the window's output rows read.
        int firstRow = rows == null ? top : rows.min[top];
        int lastRow = rows == null ? top + windowHeight
                : rows.min[top + windowHeight - 1] + rows.count[top + windowHeight - 1];
        byte[] columns = outWidth != width
                ? horizontal(in, width, channels, firstRow, lastRow, new Coefficients(width, outWidth), left, windowWidth)
                : cropColumns(in, width, channels, firstRow, lastRow, left, windowWidth);
        if (rows == null) {
            return columns;
        }
        return vertical(columns, windowWidth * channels, firstRow, rows, top, windowHeight);
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

    /** Rows {@code [firstRow, lastRow)}, output columns {@code [left, left + count)}. */
    private static byte[] horizontal(byte[] in, int width, int channels, int firstRow, int lastRow,
            Coefficients c, int left, int count) {
        byte[] out = new byte[(lastRow - firstRow) * count * channels];
        int[] sums = new int[channels];
        for (int y = firstRow; y < lastRow; y++) {
            int rowIn = y * width * channels;
            int at = (y - firstRow) * count * channels;
            for (int xx = left; xx < left + count; xx++) {
                int kBase = xx * c.ksize;
                int taps = c.count[xx];
                int from = rowIn + c.min[xx] * channels;
                // Integer sums, so the order of accumulation does not change the result.
                if (channels == 3) {
                    int r = 1 << (PRECISION_BITS - 1);
                    int g = r;
                    int b = r;
                    for (int x = 0; x < taps; x++) {
                        int w = c.weights[kBase + x];
                        int i = from + 3 * x;
                        r += (in[i] & 0xff) * w;
                        g += (in[i + 1] & 0xff) * w;
                        b += (in[i + 2] & 0xff) * w;
                    }
                    out[at++] = clip8(r);
                    out[at++] = clip8(g);
                    out[at++] = clip8(b);
                } else {
                    Arrays.fill(sums, 1 << (PRECISION_BITS - 1));
                    for (int x = 0; x < taps; x++) {
                        int w = c.weights[kBase + x];
                        for (int ch = 0; ch < channels; ch++) {
                            sums[ch] += (in[from + x * channels + ch] & 0xff) * w;
                        }
                    }
                    for (int ch = 0; ch < channels; ch++) {
                        out[at++] = clip8(sums[ch]);
                    }
                }
            }
        }
        return out;
    }

    /** Rows {@code [firstRow, lastRow)}, columns {@code [left, left + count)}, unchanged. */
    private static byte[] cropColumns(byte[] in, int width, int channels, int firstRow, int lastRow, int left, int count) {
        int stride = count * channels;
        byte[] out = new byte[(lastRow - firstRow) * stride];
        for (int y = firstRow; y < lastRow; y++) {
            System.arraycopy(in, (y * width + left) * channels, out, (y - firstRow) * stride, stride);
        }
        return out;
    }

    /**
     * Output rows {@code [top, top + count)} from {@code in}, whose first row is input row
     * {@code firstRow}.
     */
    private static byte[] vertical(byte[] in, int stride, int firstRow, Coefficients c, int top, int count) {
        byte[] out = new byte[count * stride];
        int[] sums = new int[stride];
        for (int yy = top; yy < top + count; yy++) {
            int kBase = yy * c.ksize;
            Arrays.fill(sums, 1 << (PRECISION_BITS - 1));
            // Row by row, so that the inner loop runs along memory (integer sums: same result).
            for (int y = 0; y < c.count[yy]; y++) {
                int w = c.weights[kBase + y];
                int row = (y + c.min[yy] - firstRow) * stride;
                for (int i = 0; i < stride; i++) {
                    sums[i] += (in[row + i] & 0xff) * w;
                }
            }
            int at = (yy - top) * stride;
            for (int i = 0; i < stride; i++) {
                out[at + i] = clip8(sums[i]);
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
