package io.denseserve.preprocess;

import io.denseserve.bundle.Preprocessing;

/**
 * A model's preprocessing, exactly as torchvision's transforms apply it to a PIL image:
 * {@code convert(mode)}, {@code Resize(resize)} (shorter side, bilinear with antialiasing),
 * {@code CenterCrop(crop)}, {@code ToTensor()}, {@code Normalize(mean, std)}.
 */
public final class ImagePreprocessor {

    private final Preprocessing spec;
    /** Per channel, ToTensor + Normalize of each 8-bit value: {@code (v / 255 - mean) / std} in float. */
    private final float[][] normalised;

    public ImagePreprocessor(Preprocessing spec) {
        this.spec = spec;
        int channels = spec.colorMode().channels();
        normalised = new float[channels][256];
        for (int c = 0; c < channels; c++) {
            float mean = spec.mean().get(c).floatValue();
            float std = spec.std().get(c).floatValue();
            for (int v = 0; v < 256; v++) {
                normalised[c][v] = (v / 255f - mean) / std;
            }
        }
    }

    public Preprocessing spec() {
        return spec;
    }

    /** Values per image: channels x crop x crop. */
    public int inputSize() {
        return spec.colorMode().channels() * spec.crop() * spec.crop();
    }

    /**
     * Prepares one image.
     *
     * @return {@code channels * crop * crop} floats in CHW order
     */
    public float[] apply(DecodedImage image) {
        int channels = spec.colorMode().channels();
        byte[] pixels = channels == 1 ? luminance(image.rgb()) : image.rgb();
        int[] size = resizedSize(image.width(), image.height(), spec.resize());
        int crop = spec.crop();
        int top = cropOffset(size[1], crop);
        int left = cropOffset(size[0], crop);
        byte[] cropped = PilResize.resizeWindow(pixels, image.width(), image.height(), channels, size[0], size[1],
                left, top, crop, crop);
        float[] out = new float[channels * crop * crop];
        for (int c = 0; c < channels; c++) {
            float[] lookup = normalised[c];
            for (int y = 0; y < crop; y++) {
                int row = y * crop * channels + c;
                int base = (c * crop + y) * crop;
                for (int x = 0; x < crop; x++) {
                    out[base + x] = lookup[cropped[row + x * channels] & 0xff];
                }
            }
        }
        return out;
    }

    /** Where the model's input lies in an image of this size. */
    public CropWindow cropWindow(int width, int height) {
        int[] size = resizedSize(width, height, spec.resize());
        int crop = spec.crop();
        double scaleX = (double) width / size[0];
        double scaleY = (double) height / size[1];
        return new CropWindow(cropOffset(size[0], crop) * scaleX, cropOffset(size[1], crop) * scaleY,
                crop * scaleX, crop * scaleY);
    }

    /** torchvision's center_crop: {@code int(round((size - crop) / 2.0))}, Python rounding half to even. */
    private static int cropOffset(int size, int crop) {
        return (int) Math.rint((size - crop) / 2.0);
    }

    /** torchvision's Resize(int): the shorter side becomes {@code target}, the longer keeps the ratio (truncated). */
    static int[] resizedSize(int width, int height, int target) {
        if (width <= height) {
            return new int[] {target, (int) ((double) target * height / width)};
        }
        return new int[] {(int) ((double) target * width / height), target};
    }

    /** Pillow's RGB to "L": {@code (R*19595 + G*38470 + B*7471 + 0x8000) >> 16}. */
    static byte[] luminance(byte[] rgb) {
        byte[] out = new byte[rgb.length / 3];
        for (int i = 0; i < out.length; i++) {
            int r = rgb[3 * i] & 0xff;
            int g = rgb[3 * i + 1] & 0xff;
            int b = rgb[3 * i + 2] & 0xff;
            out[i] = (byte) ((r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16);
        }
        return out;
    }
}
