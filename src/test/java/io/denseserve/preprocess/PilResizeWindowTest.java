package io.denseserve.preprocess;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PilResizeWindowTest {

    /** The window of a resize is the same bytes as cropping the whole resized image. */
    @ParameterizedTest(name = "{0}x{1}x{2} -> {3}x{4}")
    @CsvSource({
        "224, 224, 3, 256, 256",   // upscale, then a 224 center crop
        "640, 480, 3, 341, 256",   // downscale, wider than tall
        "300, 500, 1, 256, 426",   // grayscale, taller than wide
        "256, 300, 3, 256, 256",   // height only
        "300, 256, 3, 256, 256",   // width only
        "28, 28, 1, 28, 28",       // no resize at all
    })
    void windowEqualsCropOfTheWholeResize(int width, int height, int channels, int outWidth, int outHeight) {
        byte[] image = new byte[width * height * channels];
        new Random(width * 31L + height).nextBytes(image);
        byte[] whole = PilResize.resize(image, width, height, channels, outWidth, outHeight);
        int[][] windows = {{0, 0, outWidth, outHeight}, {(outWidth - 20) / 2, (outHeight - 20) / 2, 20, 20},
            {outWidth - 7, outHeight - 5, 7, 5}, {0, outHeight - 1, outWidth, 1}};
        for (int[] window : windows) {
            byte[] expected = crop(whole, outWidth, channels, window);
            byte[] actual = PilResize.resizeWindow(image, width, height, channels, outWidth, outHeight,
                    window[0], window[1], window[2], window[3]);
            assertArrayEquals(expected, actual, () -> "window " + java.util.Arrays.toString(window));
        }
    }

    @org.junit.jupiter.api.Test
    void refusesAWindowOutsideTheImage() {
        byte[] image = new byte[10 * 10 * 3];
        assertThrows(IllegalArgumentException.class, () -> PilResize.resizeWindow(image, 10, 10, 3, 20, 20, 15, 0, 10, 10));
    }

    private static byte[] crop(byte[] pixels, int width, int channels, int[] window) {
        byte[] out = new byte[window[2] * window[3] * channels];
        for (int y = 0; y < window[3]; y++) {
            System.arraycopy(pixels, ((window[1] + y) * width + window[0]) * channels, out, y * window[2] * channels,
                    window[2] * channels);
        }
        return out;
    }
}
