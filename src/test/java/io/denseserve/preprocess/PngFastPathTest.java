package io.denseserve.preprocess;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.CRC32;
import java.util.zip.DeflaterOutputStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The fast path against ImageIO, the definition, on PNGs written here with every row filter. */
class PngFastPathTest {

    private static final long NO_LIMIT = Long.MAX_VALUE;

    @ParameterizedTest(name = "color type {0}, filter {1}")
    @CsvSource({
        "0, 0", "0, 1", "0, 2", "0, 3", "0, 4", "0, -1",
        "2, 0", "2, 1", "2, 2", "2, 3", "2, 4", "2, -1",
        "4, 0", "4, 1", "4, 2", "4, 3", "4, 4", "4, -1",
        "6, 0", "6, 1", "6, 2", "6, 3", "6, 4", "6, -1",
    })
    void decodesLikeImageIo(int colorType, int filter) throws IOException {
        byte[] png = png(37, 23, colorType, filter, new byte[0]);
        DecodedImage fast = decode(png, NO_LIMIT);
        assertNotNull(fast, "the fast path should take this PNG");
        assertEquals(37, fast.width());
        assertEquals(23, fast.height());
        assertArrayEquals(PixelReader.rgb(ImageIO.read(new ByteArrayInputStream(png))), fast.rgb());
    }

    @Test
    void leavesOtherVariantsAndDamageToImageIo() throws IOException {
        byte[] good = png(16, 16, 2, -1, new byte[0]);
        assertNotNull(decode(good, NO_LIMIT));
        assertNull(decode(good, 255), "more pixels than allowed");
        assertNull(decode(png(16, 16, 2, -1, chunk("tRNS", new byte[6])), NO_LIMIT), "transparency chunk");
        assertNull(decode(png(16, 16, 2, -1, chunk("ABCD", new byte[1])), NO_LIMIT), "unknown critical chunk");
        assertNotNull(decode(png(16, 16, 2, -1, chunk("tEXt", "a\0b".getBytes(StandardCharsets.ISO_8859_1))),
                NO_LIMIT), "ancillary chunks are skipped");
        byte[] interlaced = good.clone();
        interlaced[28] = 1;
        fixCrc(interlaced, 8, 13);
        assertNull(decode(interlaced, NO_LIMIT), "interlaced");
        byte[] sixteenBit = good.clone();
        sixteenBit[24] = 16;
        fixCrc(sixteenBit, 8, 13);
        assertNull(decode(sixteenBit, NO_LIMIT), "16-bit");
        byte[] badCrc = good.clone();
        badCrc[40] ^= 1;
        assertNull(decode(badCrc, NO_LIMIT), "damaged data");
        for (int cut = 8; cut < good.length; cut += 7) {
            assertNull(decode(Arrays.copyOf(good, cut), NO_LIMIT), "truncated at " + cut);
        }
        byte[] badFilter = png(16, 16, 2, 5, new byte[0]);
        assertNull(decode(badFilter, NO_LIMIT), "unknown row filter");
    }

    private static DecodedImage decode(byte[] png, long maxPixels) {
        return PngFastPath.decode(png, maxPixels, pixels -> {});
    }

    /**
     * A PNG of seeded pixels, every row filtered with {@code filter} (-1: rows cycle through all
     * five), {@code extra} inserted before the image data.
     */
    static byte[] png(int width, int height, int colorType, int filter, byte[] extra) throws IOException {
        int bpp = switch (colorType) {
            case 0 -> 1;
            case 4 -> 2;
            case 2 -> 3;
            default -> 4;
        };
        Random random = new Random(width * 1000L + height * 10L + colorType);
        int stride = width * bpp;
        byte[] pixels = new byte[stride * height];
        for (int i = 0; i < pixels.length; i++) { // smooth with noise, as photos are, so filters matter
            pixels[i] = (byte) ((i % stride) * 3 + (i / stride) * 5 + random.nextInt(24));
        }
        ByteArrayOutputStream filtered = new ByteArrayOutputStream();
        for (int y = 0; y < height; y++) {
            int f = filter < 0 ? y % 5 : filter;
            filtered.write(f);
            for (int i = 0; i < stride; i++) {
                int x = pixels[y * stride + i] & 0xff;
                int a = i >= bpp ? pixels[y * stride + i - bpp] & 0xff : 0;
                int b = y > 0 ? pixels[(y - 1) * stride + i] & 0xff : 0;
                int c = i >= bpp && y > 0 ? pixels[(y - 1) * stride + i - bpp] & 0xff : 0;
                int predicted = switch (f) {
                    case 1 -> a;
                    case 2 -> b;
                    case 3 -> (a + b) / 2;
                    case 4 -> paeth(a, b, c);
                    default -> 0;
                };
                filtered.write(x - predicted);
            }
        }
        ByteArrayOutputStream compressed = new ByteArrayOutputStream();
        try (DeflaterOutputStream deflate = new DeflaterOutputStream(compressed)) {
            deflate.write(filtered.toByteArray());
        }
        byte[] data = compressed.toByteArray();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        out.write(chunk("IHDR", ByteBuffer.allocate(13).putInt(width).putInt(height)
                .put((byte) 8).put((byte) colorType).put((byte) 0).put((byte) 0).put((byte) 0).array()));
        out.write(extra);
        // Two IDAT chunks: the stream may be split anywhere.
        out.write(chunk("IDAT", Arrays.copyOf(data, data.length / 2)));
        out.write(chunk("IDAT", Arrays.copyOfRange(data, data.length / 2, data.length)));
        out.write(chunk("IEND", new byte[0]));
        return out.toByteArray();
    }

    static byte[] chunk(String type, byte[] data) {
        ByteBuffer chunk = ByteBuffer.allocate(data.length + 12).putInt(data.length)
                .put(type.getBytes(StandardCharsets.ISO_8859_1)).put(data);
        CRC32 crc = new CRC32();
        crc.update(chunk.array(), 4, data.length + 4);
        return chunk.putInt((int) crc.getValue()).array();
    }

    private static void fixCrc(byte[] png, int pos, int length) {
        CRC32 crc = new CRC32();
        crc.update(png, pos + 4, length + 4);
        ByteBuffer.wrap(png).putInt(pos + 8 + length, (int) crc.getValue());
    }

    private static int paeth(int a, int b, int c) {
        int p = a + b - c;
        int pa = Math.abs(p - a);
        int pb = Math.abs(p - b);
        int pc = Math.abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }
}
