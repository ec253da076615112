package io.denseserve.explain;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * Writes 8-bit RGB PNGs for overlays, fast rather than small: every row with the Sub filter, and
 * deflate with Huffman coding only (no string matching), since an overlay is drawn on the request
 * thread for each explained request. ImageIO's writer (adaptive filters, default level) took most
 * of an overlay's time; the figure now is {@code renderMs} in BENCHMARKS.md §3.
 */
final class PngEncoder {

    private static final byte[] SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    private static final byte SUB = 1;

    private PngEncoder() {}

    /** {@code rgb}: {@code height * width * 3} bytes, row-major. */
    static byte[] rgb(byte[] rgb, int width, int height) {
        int stride = width * 3;
        byte[] filtered = new byte[height * (stride + 1)];
        for (int y = 0; y < height; y++) {
            int in = y * stride;
            int out = y * (stride + 1);
            filtered[out] = SUB;
            for (int i = 0; i < stride; i++) {
                int left = i >= 3 ? rgb[in + i - 3] : 0;
                filtered[out + 1 + i] = (byte) (rgb[in + i] - left);
            }
        }
        Deflater deflater = new Deflater(Deflater.BEST_SPEED);
        deflater.setStrategy(Deflater.HUFFMAN_ONLY);
        ByteArrayOutputStream compressed = new ByteArrayOutputStream(filtered.length / 2 + 64);
        try {
            deflater.setInput(filtered);
            deflater.finish();
            byte[] buffer = new byte[64 * 1024];
            while (!deflater.finished()) {
                compressed.write(buffer, 0, deflater.deflate(buffer));
            }
        } finally {
            deflater.end();
        }
        ByteArrayOutputStream png = new ByteArrayOutputStream(compressed.size() + 64);
        png.writeBytes(SIGNATURE);
        chunk(png, "IHDR", ByteBuffer.allocate(13).putInt(width).putInt(height)
                .put((byte) 8).put((byte) 2).put((byte) 0).put((byte) 0).put((byte) 0).array());
        chunk(png, "IDAT", compressed.toByteArray());
        chunk(png, "IEND", new byte[0]);
        return png.toByteArray();
    }

    private static void chunk(ByteArrayOutputStream png, String type, byte[] data) {
        byte[] name = type.getBytes(StandardCharsets.US_ASCII);
        CRC32 crc = new CRC32();
        crc.update(name);
        crc.update(data);
        png.writeBytes(ByteBuffer.allocate(4).putInt(data.length).array());
        png.writeBytes(name);
        png.writeBytes(data);
        png.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }
}
