package io.denseserve.preprocess;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Resizing, EXIF orientation and ICC handling against Pillow's own output, committed as fixtures
 * ({@code src/test/python/pillow_fixtures.py} wrote them with Debian's python3-pil 9.4), so they
 * are checked on machines without Pillow too. {@code PreprocessingParityTest} does the same on
 * real photos where Debian's packages are installed.
 */
class PillowFixturesTest {

    static final String DIR = "/io/denseserve/preprocess/pillow/";

    @ParameterizedTest(name = "{0} -> {1}x{2}")
    @CsvSource({
        "rgb, 23, 19", "rgb, 128, 98", "rgb, 61, 20", "rgb, 30, 47", "rgb, 150, 116",
        "l, 28, 28", "l, 100, 134", "l, 7, 9",
    })
    void resizeIsPillowsBilinearToTheByte(String mode, int width, int height) throws IOException {
        int channels = mode.equals("rgb") ? 3 : 1;
        BufferedImage source = png("resize-" + mode + "-source.png");
        byte[] resized = PilResize.resize(pixels(source, channels), source.getWidth(), source.getHeight(), channels,
                width, height);
        assertThat(resized).isEqualTo(pixels(png("resize-" + mode + "-" + width + "x" + height + ".png"), channels));
    }

    @ParameterizedTest(name = "orientation {0}")
    @ValueSource(ints = {1, 2, 3, 4, 5, 6, 7, 8})
    void exifOrientationIsPillowsExifTranspose(int orientation) throws IOException {
        DecodedImage decoded = new ImageDecoder(1 << 20, 1 << 20).decode(bytes("exif-" + orientation + ".jpg"));
        BufferedImage pillow = png("exif-" + orientation + "-pillow.png");
        assertThat(new int[] {decoded.width(), decoded.height()}).containsExactly(pillow.getWidth(), pillow.getHeight());
        assertThat(decoded.rgb()).isEqualTo(pixels(pillow, 3));
    }

    @Test
    void anEmbeddedIccProfileIsIgnoredAsPillowIgnoresIt() throws IOException {
        byte[] jpeg = bytes("icc.jpg");
        byte[] pillow = pixels(png("icc-pillow.png"), 3);
        assertThat(new ImageDecoder(1 << 20, 1 << 20).decode(jpeg).rgb()).isEqualTo(pillow);
        // The fixture exercises the stripping: decoded with its profile applied, the pixels differ.
        BufferedImage withProfile = ImageIO.read(new ByteArrayInputStream(jpeg));
        assertThat(pixels(withProfile, 3)).isNotEqualTo(pillow);
    }

    /** Row-major pixel bytes, channels interleaved (R, G, B or gray), whatever the image's layout. */
    static byte[] pixels(BufferedImage image, int channels) {
        byte[] out = new byte[image.getWidth() * image.getHeight() * channels];
        int i = 0;
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                if (channels == 1) {
                    out[i++] = (byte) image.getRaster().getSample(x, y, 0);
                } else {
                    int rgb = image.getRGB(x, y);
                    out[i++] = (byte) (rgb >> 16);
                    out[i++] = (byte) (rgb >> 8);
                    out[i++] = (byte) rgb;
                }
            }
        }
        return out;
    }

    static BufferedImage png(String name) throws IOException {
        return ImageIO.read(new ByteArrayInputStream(bytes(name)));
    }

    static byte[] bytes(String name) throws IOException {
        try (InputStream in = PillowFixturesTest.class.getResourceAsStream(DIR + name)) {
            assertThat(in).as(name).isNotNull();
            return in.readAllBytes();
        }
    }
}
