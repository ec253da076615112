package io.denseserve.bundle;

import java.util.List;

/**
 * How an image must be prepared for the weights, as torchvision's weight metadata states it:
 * resize the shorter side to {@code resize} (bilinear, antialiased as PIL does), center-crop
 * {@code crop x crop}, scale to [0, 1], normalise each channel with {@code mean} and {@code std}.
 *
 * @param resize shorter side after resizing, in pixels
 * @param crop side of the square center crop
 * @param colorMode RGB (3 channels) or GRAYSCALE (1 channel, PIL's "L" conversion)
 * @param mean per-channel mean on the [0, 1] scale
 * @param std per-channel standard deviation on the [0, 1] scale
 */
public record Preprocessing(int resize, int crop, ColorMode colorMode, List<Double> mean, List<Double> std) {

    /** The pixel layout the network expects. */
    public enum ColorMode {
        RGB(3), GRAYSCALE(1);

        private final int channels;

        ColorMode(int channels) {
            this.channels = channels;
        }

        public int channels() {
            return channels;
        }
    }

    public Preprocessing {
        mean = List.copyOf(mean);
        std = List.copyOf(std);
        if (resize <= 0 || crop <= 0 || crop > resize) {
            throw new IllegalArgumentException("need 0 < crop <= resize, got resize " + resize + ", crop " + crop);
        }
        if (colorMode == null || mean.size() != colorMode.channels() || std.size() != colorMode.channels()) {
            throw new IllegalArgumentException("colorMode " + colorMode + " needs one mean and std per channel");
        }
        if (std.stream().anyMatch(s -> s <= 0)) {
            throw new IllegalArgumentException("std must be positive: " + std);
        }
    }

    /** torchvision's ImageNet transforms: resize 256, crop 224, ImageNet mean and std. */
    public static Preprocessing imagenet() {
        return new Preprocessing(256, 224, ColorMode.RGB, List.of(0.485, 0.456, 0.406), List.of(0.229, 0.224, 0.225));
    }
}
