package io.denseserve.preprocess;

import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import java.util.function.LongConsumer;

/**
 * Decodes the PNG variant photos and screenshots use (8-bit gray, gray + alpha, RGB or RGBA, not
 * interlaced, no transparency chunk) straight into RGB bytes: inflate with the JDK's zlib, undo the
 * row filters in one tight loop, drop alpha. ImageIO's reader spends most of a 224x224 photo's
 * decode in its Paeth filter and then needs a pass through a {@code BufferedImage}.
 *
 * <p>Anything else, and anything unexpected (a bad CRC, a truncated stream, an unknown critical
 * chunk, more pixels than allowed), returns {@code null}: the caller then decodes with ImageIO,
 * whose behaviour, including its error for corrupt data, stays the definition.
 */
final class PngFastPath {

    private static final byte[] SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    private PngFastPath() {}

    /** The image, or {@code null} where ImageIO should decide; {@code admit} hears its pixel count first. */
    static DecodedImage decode(byte[] png, long maxPixels, LongConsumer admit) {
        if (png.length < SIGNATURE.length + 25 || !hasSignature(png) || readInt(png, 8) != 13
                || !type(png, 12).equals("IHDR") || !crcMatches(png, 8, 13)) {
            return null;
        }
        long width = readInt(png, 16) & 0xffffffffL;
        long height = readInt(png, 20) & 0xffffffffL;
        int bitDepth = png[24];
        int channels = switch (png[25]) {
            case 0 -> 1;
            case 4 -> 2;
            case 2 -> 3;
            case 6 -> 4;
            default -> 0;
        };
        boolean plain = png[26] == 0 && png[27] == 0 && png[28] == 0;
        if (bitDepth != 8 || channels == 0 || !plain || width == 0 || height == 0 || width * height > maxPixels) {
            return null;
        }
        long rowBytes = 1 + width * channels;
        if (rowBytes * (height + 1) > Integer.MAX_VALUE - 8) {
            return null;
        }
        admit.accept(width * height);
        // One row of zeros in front: the row above the first, as PNG's filters define it.
        byte[] raw = new byte[(int) (rowBytes * (height + 1))];
        if (!inflateImageData(png, raw, (int) rowBytes, channels)) {
            return null;
        }
        if (!unfilter(raw, (int) width, (int) height, channels)) {
            return null;
        }
        return new DecodedImage(toRgb(raw, (int) width, (int) height, channels), (int) width, (int) height, "png");
    }

    /** Walks the chunks after IHDR, inflating the IDAT stream into {@code raw} from {@code start}; false on anything unexpected. */
    private static boolean inflateImageData(byte[] png, byte[] raw, int start, int channels) {
        Inflater inflater = new Inflater();
        try {
            int produced = start;
            int pos = 33;
            while (pos + 12 <= png.length) {
                int length = readInt(png, pos);
                if (length < 0 || length > png.length - pos - 12 || !crcMatches(png, pos, length)) {
                    return false;
                }
                String type = type(png, pos + 4);
                switch (type) {
                    case "IDAT" -> {
                        inflater.setInput(png, pos + 8, length);
                        while (produced < raw.length && !inflater.needsInput() && !inflater.finished()) {
                            produced += inflater.inflate(raw, produced, raw.length - produced);
                        }
                    }
                    case "IEND" -> {
                        return produced == raw.length;
                    }
                    case "tRNS" -> {
                        return false;
                    }
                    case "PLTE" -> {
                        if (channels < 3) {
                            return false;
                        }
                    }
                    default -> {
                        if (Character.isUpperCase(type.charAt(0))) {
                            return false; // a critical chunk this path does not know
                        }
                    }
                }
                pos += length + 12;
            }
            return false;
        } catch (DataFormatException e) {
            return false;
        } finally {
            inflater.end();
        }
    }

    /**
     * Undoes PNG's per-row filters in place (the filter byte stays in front of each row; {@code raw}
     * starts with a row of zeros, the first row's row above). Each row's first pixel (no left
     * neighbour) is undone apart, so that the loops over the rest read every neighbour without a
     * test per byte.
     */
    private static boolean unfilter(byte[] raw, int width, int height, int bpp) {
        int stride = width * bpp;
        for (int y = 1; y <= height; y++) {
            int row = y * (stride + 1) + 1;
            int end = row + stride;
            int prev = row - stride - 1;
            int filter = raw[row - 1];
            if (filter < 0 || filter > 4) {
                return false;
            }
            switch (filter) {
                case 1 -> {
                    for (int i = row + bpp; i < end; i++) {
                        raw[i] += raw[i - bpp];
                    }
                }
                case 2 -> {
                    for (int i = row, p = prev; i < end; i++, p++) {
                        raw[i] += raw[p];
                    }
                }
                case 3 -> {
                    for (int i = row, p = prev; i < row + bpp; i++, p++) {
                        raw[i] += (byte) ((raw[p] & 0xff) >>> 1);
                    }
                    for (int i = row + bpp, p = prev + bpp; i < end; i++, p++) {
                        raw[i] += (byte) (((raw[i - bpp] & 0xff) + (raw[p] & 0xff)) >>> 1);
                    }
                }
                case 4 -> {
                    for (int i = row, p = prev; i < row + bpp; i++, p++) {
                        raw[i] += raw[p]; // Paeth of (0, up, 0) is up
                    }
                    for (int i = row + bpp, p = prev + bpp; i < end; i++, p++) {
                        raw[i] += (byte) paeth(raw[i - bpp] & 0xff, raw[p] & 0xff, raw[p - bpp] & 0xff);
                    }
                }
                default -> {} // 0: None
            }
        }
        return true;
    }

    /** PNG's Paeth predictor, written so that the JIT can choose without branching (photos make the choice unpredictable). */
    private static int paeth(int a, int b, int c) {
        int pa = Math.abs(b - c);
        int pb = Math.abs(a - c);
        int pc = Math.abs(a + b - 2 * c);
        int bOrC = pb <= pc ? b : c;
        return pa <= Math.min(pb, pc) ? a : bOrC;
    }

    /** Gray replicated, alpha dropped: Pillow's {@code convert("RGB")}. */
    private static byte[] toRgb(byte[] raw, int width, int height, int channels) {
        byte[] rgb = new byte[width * height * 3];
        int o = 0;
        for (int y = 1; y <= height; y++) {
            int i = y * (width * channels + 1) + 1;
            if (channels == 3) {
                System.arraycopy(raw, i, rgb, o, width * 3);
                o += width * 3;
                continue;
            }
            for (int x = 0; x < width; x++, i += channels) {
                if (channels < 3) {
                    rgb[o++] = raw[i];
                    rgb[o++] = raw[i];
                    rgb[o++] = raw[i];
                } else {
                    rgb[o++] = raw[i];
                    rgb[o++] = raw[i + 1];
                    rgb[o++] = raw[i + 2];
                }
            }
        }
        return rgb;
    }

    private static boolean hasSignature(byte[] png) {
        for (int i = 0; i < SIGNATURE.length; i++) {
            if (png[i] != SIGNATURE[i]) {
                return false;
            }
        }
        return true;
    }

    /** The CRC of the chunk at {@code pos} (over its type and data) against the one stored after it. */
    private static boolean crcMatches(byte[] png, int pos, int length) {
        CRC32 crc = new CRC32();
        crc.update(png, pos + 4, length + 4);
        return (int) crc.getValue() == readInt(png, pos + 8 + length);
    }

    private static String type(byte[] png, int pos) {
        return new String(png, pos, 4, StandardCharsets.ISO_8859_1);
    }

    private static int readInt(byte[] b, int pos) {
        return ((b[pos] & 0xff) << 24) | ((b[pos + 1] & 0xff) << 16) | ((b[pos + 2] & 0xff) << 8) | (b[pos + 3] & 0xff);
    }
}
