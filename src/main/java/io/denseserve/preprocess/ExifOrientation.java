package io.denseserve.preprocess;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Reads the EXIF orientation tag (0x0112) of a JPEG, so photos taken with a rotated phone are
 * classified upright. Only the first APP1 "Exif" segment is read; anything malformed means
 * "no orientation" rather than an error, as for a photo without EXIF.
 */
final class ExifOrientation {

    /** EXIF's "top-left": the stored pixels are upright. */
    static final int NORMAL = 1;

    private ExifOrientation() {}

    /** Returns the orientation 1..8, or {@link #NORMAL} if absent or unreadable. */
    static int of(byte[] jpeg) {
        try {
            return find(jpeg);
        } catch (RuntimeException e) {
            return NORMAL;
        }
    }

    private static int find(byte[] b) {
        if (b.length < 4 || (b[0] & 0xff) != 0xFF || (b[1] & 0xff) != 0xD8) {
            return NORMAL;
        }
        int pos = 2;
        while (pos + 4 <= b.length && (b[pos] & 0xff) == 0xFF) {
            int marker = b[pos + 1] & 0xff;
            int length = ((b[pos + 2] & 0xff) << 8) | (b[pos + 3] & 0xff);
            if (marker == 0xDA || marker == 0xD9) {
                return NORMAL; // start of scan: no more metadata
            }
            if (marker == 0xE1 && length > 8 && pos + 2 + length <= b.length
                    && new String(b, pos + 4, 6, java.nio.charset.StandardCharsets.ISO_8859_1).equals("Exif\0\0")) {
                return fromTiff(ByteBuffer.wrap(b, pos + 10, length - 8).slice());
            }
            pos += 2 + length;
        }
        return NORMAL;
    }

    private static int fromTiff(ByteBuffer tiff) {
        tiff.order(tiff.getShort(0) == 0x4949 ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN);
        int ifd = tiff.getInt(4);
        int entries = tiff.getShort(ifd) & 0xffff;
        for (int i = 0; i < entries; i++) {
            int entry = ifd + 2 + i * 12;
            if ((tiff.getShort(entry) & 0xffff) == 0x0112) {
                int value = tiff.getShort(entry + 8) & 0xffff;
                return value >= 1 && value <= 8 ? value : NORMAL;
            }
        }
        return NORMAL;
    }

    /**
     * Applies an orientation to interleaved pixels, returning the upright image.
     *
     * @return {width, height} of the result in {@code size}, pixels as return value
     */
    static byte[] apply(byte[] px, int width, int height, int channels, int orientation, int[] size) {
        boolean transpose = orientation >= 5;
        int outW = transpose ? height : width;
        int outH = transpose ? width : height;
        size[0] = outW;
        size[1] = outH;
        if (orientation == NORMAL) {
            return px;
        }
        byte[] out = new byte[px.length];
        for (int y = 0; y < outH; y++) {
            for (int x = 0; x < outW; x++) {
                int sx;
                int sy;
                switch (orientation) {
                    case 2 -> { sx = width - 1 - x; sy = y; }
                    case 3 -> { sx = width - 1 - x; sy = height - 1 - y; }
                    case 4 -> { sx = x; sy = height - 1 - y; }
                    case 5 -> { sx = y; sy = x; }
                    case 6 -> { sx = y; sy = height - 1 - x; }
                    case 7 -> { sx = width - 1 - y; sy = height - 1 - x; }
                    case 8 -> { sx = width - 1 - y; sy = x; }
                    default -> { sx = x; sy = y; }
                }
                System.arraycopy(px, (sy * width + sx) * channels, out, (y * outW + x) * channels, channels);
            }
        }
        return out;
    }
}
