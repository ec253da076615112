package io.denseserve.training;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;

/** Draws per-epoch curves (loss on the left, accuracy on the right) into a PNG, with Java2D only. */
final class TrainingCurves {

    private TrainingCurves() {}

    /** One named series of per-epoch values. */
    record Series(String name, List<Double> values, Color color) {}

    static void write(Path file, String title, List<Series> loss, List<Series> accuracy) throws IOException {
        int w = 1000;
        int h = 420;
        BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, w, h);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
        g.drawString(title, 20, 22);
        panel(g, 40, 40, 440, 340, "loss", loss);
        panel(g, 540, 40, 440, 340, "accuracy", accuracy);
        g.dispose();
        ImageIO.write(image, "png", file.toFile());
    }

    private static void panel(Graphics2D g, int x0, int y0, int w, int h, String label, List<Series> series) {
        double min = Double.MAX_VALUE;
        double max = -Double.MAX_VALUE;
        int n = 1;
        for (Series s : series) {
            for (double v : s.values()) {
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
            n = Math.max(n, s.values().size());
        }
        if (min == Double.MAX_VALUE) {
            return;
        }
        if (max - min < 1e-9) {
            max = min + 1;
        }
        g.setColor(Color.DARK_GRAY);
        g.setStroke(new BasicStroke(1));
        g.drawRect(x0, y0, w, h);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        g.drawString(String.format("%s  (%.4f .. %.4f)", label, min, max), x0 + 5, y0 - 5);
        g.drawString("epoch 1", x0, y0 + h + 15);
        g.drawString("epoch " + n, x0 + w - 50, y0 + h + 15);
        int legendY = y0 + 18;
        for (Series s : series) {
            g.setColor(s.color());
            g.setStroke(new BasicStroke(2));
            List<Double> v = s.values();
            for (int i = 1; i < v.size(); i++) {
                g.drawLine(x(x0, w, n, i - 1), y(y0, h, min, max, v.get(i - 1)), x(x0, w, n, i), y(y0, h, min, max, v.get(i)));
            }
            if (v.size() == 1) {
                g.fillOval(x(x0, w, n, 0) - 3, y(y0, h, min, max, v.get(0)) - 3, 6, 6);
            }
            g.drawString(s.name(), x0 + w - 150, legendY);
            legendY += 16;
        }
    }

    private static int x(int x0, int w, int n, int i) {
        return x0 + (n == 1 ? w / 2 : (int) ((long) i * (w - 10) / (n - 1)) + 5);
    }

    private static int y(int y0, int h, double min, double max, double v) {
        return y0 + h - 5 - (int) ((v - min) / (max - min) * (h - 10));
    }
}
