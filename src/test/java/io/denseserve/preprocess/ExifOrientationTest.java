package io.denseserve.preprocess;

import static org.assertj.core.api.Assertions.assertThat;

import io.denseserve.testing.Images;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.geom.AffineTransform;
import java.awt.image.AffineTransformOp;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * All eight EXIF orientations of a JPEG, decoded through {@link ImageDecoder}, against the upright
 * image computed independently with AWT affine transforms from what each value means (EXIF 2.3,
 * and Pillow's {@code ImageOps.exif_transpose}: 2 mirror, 3 rotate 180, 4 flip, 5 transpose,
 * 6 rotate 90 clockwise, 7 transverse, 8 rotate 90 counter-clockwise).
 */
class ExifOrientationTest {

    private static final int W = 48;
    private static final int H = 32;

    @ParameterizedTest(name = "orientation {0}")
    @ValueSource(ints = {1, 2, 3, 4, 5, 6, 7, 8})
    void decodesUpright(int orientation) {
        BufferedImage stored = quadrants();
        byte[] jpeg = withOrientation(Images.encode(stored, "jpeg"), orientation);
        DecodedImage decoded = new ImageDecoder(1 << 20, 1 << 20).decode(jpeg);
        BufferedImage expected = upright(stored, orientation);
        assertThat(new int[] {decoded.width(), decoded.height()})
                .containsExactly(expected.getWidth(), expected.getHeight());
        // Sample each solid block's centre: far from the block edges JPEG keeps the colour.
        for (int qy = 0; qy < 2; qy++) {
            for (int qx = 0; qx < 2; qx++) {
                int x = (2 * qx + 1) * expected.getWidth() / 4;
                int y = (2 * qy + 1) * expected.getHeight() / 4;
                Color want = new Color(expected.getRGB(x, y));
                int at = (y * decoded.width() + x) * 3;
                int[] got = {decoded.rgb()[at] & 0xff, decoded.rgb()[at + 1] & 0xff, decoded.rgb()[at + 2] & 0xff};
                assertThat(got).as("pixel at (%d, %d), orientation %d", x, y, orientation)
                        .satisfies(rgb -> {
                            assertThat(Math.abs(rgb[0] - want.getRed())).isLessThan(40);
                            assertThat(Math.abs(rgb[1] - want.getGreen())).isLessThan(40);
                            assertThat(Math.abs(rgb[2] - want.getBlue())).isLessThan(40);
                        });
            }
        }
    }

    /** Four solid quadrants of different colours: every orientation puts them somewhere else. */
    private static BufferedImage quadrants() {
        BufferedImage image = new BufferedImage(W, H, BufferedImage.TYPE_3BYTE_BGR);
        Graphics2D g = image.createGraphics();
        Color[] colors = {Color.RED, Color.GREEN, Color.BLUE, Color.YELLOW};
        for (int q = 0; q < 4; q++) {
            g.setColor(colors[q]);
            g.fillRect((q % 2) * W / 2, (q / 2) * H / 2, W / 2, H / 2);
        }
        g.dispose();
        return image;
    }

    private static BufferedImage upright(BufferedImage stored, int orientation) {
        double w = stored.getWidth();
        double h = stored.getHeight();
        AffineTransform t = switch (orientation) {
            case 1 -> new AffineTransform();
            case 2 -> new AffineTransform(-1, 0, 0, 1, w, 0);           // mirror left-right
            case 3 -> new AffineTransform(-1, 0, 0, -1, w, h);          // rotate 180
            case 4 -> new AffineTransform(1, 0, 0, -1, 0, h);           // flip top-bottom
            case 5 -> new AffineTransform(0, 1, 1, 0, 0, 0);            // transpose
            case 6 -> new AffineTransform(0, 1, -1, 0, h, 0);           // rotate 90 clockwise
            case 7 -> new AffineTransform(0, -1, -1, 0, h, w);          // transverse
            case 8 -> new AffineTransform(0, -1, 1, 0, 0, w);           // rotate 90 counter-clockwise
            default -> throw new IllegalArgumentException("orientation " + orientation);
        };
        boolean swapped = orientation >= 5;
        BufferedImage out = new BufferedImage(swapped ? stored.getHeight() : stored.getWidth(),
                swapped ? stored.getWidth() : stored.getHeight(), BufferedImage.TYPE_3BYTE_BGR);
        new AffineTransformOp(t, AffineTransformOp.TYPE_NEAREST_NEIGHBOR).filter(stored, out);
        return out;
    }

    /** The JPEG with an APP1 Exif segment (big-endian TIFF, IFD0 holding only tag 0x0112) after its JFIF header. */
    private static byte[] withOrientation(byte[] jpeg, int orientation) {
        byte[] exif = {
            (byte) 0xFF, (byte) 0xE1, 0, 34,
            'E', 'x', 'i', 'f', 0, 0,
            'M', 'M', 0, 42, 0, 0, 0, 8,
            0, 1,
            0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, (byte) orientation, 0, 0,
            0, 0, 0, 0};
        int afterApp0 = 2;
        if ((jpeg[2] & 0xff) == 0xFF && (jpeg[3] & 0xff) == 0xE0) {
            afterApp0 = 4 + (((jpeg[4] & 0xff) << 8) | (jpeg[5] & 0xff));
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(jpeg, 0, afterApp0);
        out.write(exif, 0, exif.length);
        out.write(jpeg, afterApp0, jpeg.length - afterApp0);
        return out.toByteArray();
    }
}
