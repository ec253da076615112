package io.denseserve.explain;

import static org.assertj.core.api.Assertions.assertThat;

import io.denseserve.preprocess.CropWindow;
import io.denseserve.preprocess.DecodedImage;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class HeatmapOverlayTest {

    @Test
    void pngEncoderWritesWhatImageIoReadsBackPixelForPixel() throws Exception {
        int width = 37;
        int height = 23;
        byte[] rgb = new byte[width * height * 3];
        new Random(3).nextBytes(rgb);
        BufferedImage read = ImageIO.read(new ByteArrayInputStream(PngEncoder.rgb(rgb, width, height)));
        assertThat(read.getWidth()).isEqualTo(width);
        assertThat(read.getHeight()).isEqualTo(height);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int i = (y * width + x) * 3;
                int expected = ((rgb[i] & 0xff) << 16) | ((rgb[i + 1] & 0xff) << 8) | (rgb[i + 2] & 0xff);
                assertThat(read.getRGB(x, y) & 0xffffff).as("pixel %d,%d", x, y).isEqualTo(expected);
            }
        }
    }

    @Test
    void hotCellIsRedColdCellBlueAndPixelsOutsideTheWindowAreDarkened() throws Exception {
        // A gray 40x20 image whose centre 20x20 square the model saw; the map is hot top-left, cold bottom-right.
        byte[] gray = new byte[40 * 20 * 3];
        java.util.Arrays.fill(gray, (byte) 128);
        ClassActivationMap map = new ClassActivationMap(0, 2, 2, new float[] {5, 1, 1, -3});
        byte[] png = HeatmapOverlay.png(new DecodedImage(gray, 40, 20, "png"), new CropWindow(10, 0, 20, 20), map);
        BufferedImage overlay = ImageIO.read(new ByteArrayInputStream(png));

        assertThat(overlay.getWidth()).isEqualTo(40);
        int outside = overlay.getRGB(2, 10) & 0xffffff;
        assertThat(outside).as("outside the window: darkened, not coloured").isEqualTo(0x2d2d2d);
        int hot = overlay.getRGB(11, 1);
        int cold = overlay.getRGB(28, 18);
        assertThat(red(hot)).isGreaterThan(blue(hot));
        assertThat(blue(cold)).isGreaterThan(red(cold));
        int[] top = HeatmapOverlay.colour(1);
        assertThat(red(hot)).isEqualTo((128 + top[0] + 1) / 2);
    }

    private static int red(int argb) {
        return (argb >> 16) & 0xff;
    }

    private static int blue(int argb) {
        return argb & 0xff;
    }
}
