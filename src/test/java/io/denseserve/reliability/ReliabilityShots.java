package io.denseserve.reliability;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;
import javax.imageio.ImageIO;

/**
 * The request mix of the reliability runs: what clients of the default model send (28x28 gray
 * product images, a larger photo-sized JPEG the server must resize, a CMYK JPEG), mixed with what
 * they should not send (random bytes, a truncated PNG, a wrong content type, a bad topK), so that
 * the error paths are soaked too: a leak on a rejected upload counts as much as one on a good one.
 */
final class ReliabilityShots {

    private ReliabilityShots() {}

    static List<Shot> mixed() throws IOException {
        byte[] gray = png(grayProduct(28, 28));
        byte[] photo = jpeg(colorScene(640, 480));
        byte[] random = new byte[3000];
        new Random(7).nextBytes(random);
        byte[] truncated = Arrays.copyOf(png(colorScene(120, 90)), 400);
        return List.of(
                new Shot("28x28 gray PNG", "", "image/png", gray, Set.of(200)),
                new Shot("28x28 gray PNG, top 3", "?topK=3", "image/png", gray, Set.of(200)),
                new Shot("640x480 JPEG", "", "image/jpeg", photo, Set.of(200)),
                new Shot("CMYK JPEG", "", "image/jpeg", cmykJpeg(), Set.of(200)),
                new Shot("random bytes", "", "image/png", random, Set.of(400)),
                new Shot("truncated PNG", "", "image/png", truncated, Set.of(400)),
                new Shot("wrong content type", "", "text/plain", gray, Set.of(415)),
                new Shot("topK=0", "?topK=0", "image/png", gray, Set.of(400)));
    }

    /** Only good images: what overload and SIGTERM runs send (their expected answers are set there). */
    static List<Shot> good() throws IOException {
        return mixed().stream().filter(s -> s.expected().contains(200)).toList();
    }

    private static BufferedImage grayProduct(int w, int h) {
        BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
        Graphics2D g = image.createGraphics();
        g.setColor(Color.BLACK);
        g.fillRect(0, 0, w, h);
        g.setColor(new Color(200, 200, 200));
        g.fillRect(w / 4, h / 6, w / 2, 2 * h / 3); // a bright garment-like shape on a dark background
        g.dispose();
        return image;
    }

    private static BufferedImage colorScene(int w, int h) {
        BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        for (int y = 0; y < h; y++) {
            g.setColor(new Color((y * 255) / (h - 1), 90, 160));
            g.drawLine(0, y, w, y);
        }
        g.setColor(Color.ORANGE);
        g.fillOval(w / 4, h / 4, w / 2, h / 2);
        g.dispose();
        return image;
    }

    private static byte[] png(BufferedImage image) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "png", out);
        return out.toByteArray();
    }

    private static byte[] jpeg(BufferedImage image) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "jpeg", out);
        return out.toByteArray();
    }

    private static byte[] cmykJpeg() throws IOException {
        try (InputStream in = ReliabilityShots.class.getResourceAsStream("/io/denseserve/images/cmyk.jpg")) {
            return in.readAllBytes();
        }
    }
}
