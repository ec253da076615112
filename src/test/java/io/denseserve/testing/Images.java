package io.denseserve.testing;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;

/** Images made in tests: ordinary ones, and hostile ones that must be rejected. */
public final class Images {

    private Images() {}

    /** A {@code width x height} image with a gradient and a colored square, encoded as {@code format}. */
    public static byte[] encoded(String format, int width, int height, int type) {
        BufferedImage image = new BufferedImage(width, height, type);
        Graphics2D g = image.createGraphics();
        for (int y = 0; y < height; y++) {
            g.setColor(new Color((y * 255) / Math.max(1, height - 1), 80, 200));
            g.drawLine(0, y, width, y);
        }
        g.setColor(Color.YELLOW);
        g.fillRect(width / 4, height / 4, width / 2, height / 2);
        g.dispose();
        return encode(image, format);
    }

    public static byte[] png(int width, int height) {
        return encoded("png", width, height, BufferedImage.TYPE_INT_RGB);
    }

    public static byte[] encode(BufferedImage image, String format) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            if (!ImageIO.write(image, format, out)) {
                throw new IllegalArgumentException("no ImageIO writer for " + format);
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A valid PNG header (signature, IHDR with correct CRC) declaring {@code width x height} RGB
     * pixels, followed by no image data: a decompression bomb's header.
     */
    public static byte[] pngHeaderDeclaring(int width, int height) {
        ByteBuffer ihdr = ByteBuffer.allocate(17);
        ihdr.put("IHDR".getBytes()).putInt(width).putInt(height).put((byte) 8).put((byte) 2)
                .put((byte) 0).put((byte) 0).put((byte) 0);
        CRC32 crc = new CRC32();
        crc.update(ihdr.array());
        ByteBuffer png = ByteBuffer.allocate(8 + 4 + 17 + 4 + 12);
        png.put(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        png.putInt(13).put(ihdr.array()).putInt((int) crc.getValue());
        png.putInt(0).put("IEND".getBytes()).putInt(0xAE426082);
        return png.array();
    }
}
