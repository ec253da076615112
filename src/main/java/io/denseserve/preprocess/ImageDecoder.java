package io.denseserve.preprocess;

import io.denseserve.failure.ImageRejectedException.Reason;
import io.denseserve.failure.ImageRejectedException;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.LongConsumer;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * Decodes uploaded bytes into an upright RGB image, within limits: the byte count is checked first,
 * then the pixel count from the format's header before a single pixel is decoded (a
 * decompression bomb costs us a header read). A decoder warning, such as a JPEG that ends early, is
 * treated as corruption rather than classifying a half-gray picture. An animated image contributes
 * its first frame. Common PNGs take a faster path with the same result ({@link PngFastPath}). A JPEG's ICC profile is ignored, as Pillow ignores it (see {@link IccProfileStripper}).
 */
public final class ImageDecoder {

    static {
        ImageIO.setUseCache(false); // decode in memory, never to temporary files
    }

    private final long maxBytes;
    private final long maxPixels;

    public ImageDecoder(long maxBytes, long maxPixels) {
        this.maxBytes = maxBytes;
        this.maxPixels = maxPixels;
    }

    /**
     * Decodes an image.
     *
     * @throws ImageRejectedException if the bytes are empty, too many, not an image, corrupt, or
     *     declare too many pixels
     */
    public DecodedImage decode(byte[] bytes) {
        return decode(bytes, pixels -> {});
    }

    /**
     * Decodes an image, first telling {@code admit} how many pixels its header declares (within the
     * limit), so that the caller can wait for memory, or refuse, before any pixel is decoded. It may
     * be told more than once for one image, with the same count.
     */
    public DecodedImage decode(byte[] bytes, LongConsumer admit) {
        // What admit throws (no room: come back later) must reach the caller as it is, not be taken
        // for a reader failing on the bytes and answered "corrupt" below.
        LongConsumer guarded = pixels -> {
            try {
                admit.accept(pixels);
            } catch (RuntimeException e) {
                throw new AdmissionRefused(e);
            }
        };
        try {
            return decodeAdmitted(bytes, guarded);
        } catch (AdmissionRefused e) {
            throw (RuntimeException) e.getCause();
        }
    }

    /** Thrown through the decoders for whatever {@code admit} threw. */
    private static final class AdmissionRefused extends RuntimeException {
        AdmissionRefused(RuntimeException cause) {
            super(cause);
        }
    }

    private DecodedImage decodeAdmitted(byte[] bytes, LongConsumer admit) {
        if (bytes.length == 0) {
            throw new ImageRejectedException(Reason.EMPTY, "the request contains no image bytes");
        }
        if (bytes.length > maxBytes) {
            throw new ImageRejectedException(Reason.TOO_MANY_BYTES,
                    "the image has " + bytes.length + " bytes; the limit is " + maxBytes);
        }
        DecodedImage png = PngFastPath.decode(bytes, maxPixels, admit);
        if (png != null) {
            return png;
        }
        bytes = IccProfileStripper.strip(bytes);
        List<ImageReader> readers = readersFor(bytes);
        if (readers.isEmpty()) {
            throw new ImageRejectedException(Reason.NOT_AN_IMAGE,
                    "the bytes are not an image in a supported format (JPEG, PNG, GIF, BMP, WebP, TIFF)");
        }
        // The JDK's own decoders come first: they leave RGB samples unconverted, as Pillow does.
        // The next reader (TwelveMonkeys for JPEG) is tried only if one cannot decode the format
        // variant at all, such as a CMYK JPEG.
        for (ImageReader reader : readers) {
            try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
                reader.setInput(in, true, true);
                return read(reader, bytes, admit);
            } catch (ImageRejectedException | AdmissionRefused e) {
                throw e;
            } catch (IOException | RuntimeException e) {
                if (reader == readers.get(readers.size() - 1)) {
                    throw new ImageRejectedException(Reason.CORRUPT, "the image data is truncated or corrupt");
                }
            } finally {
                reader.dispose();
            }
        }
        throw new ImageRejectedException(Reason.CORRUPT, "the image data is truncated or corrupt");
    }

    private static List<ImageReader> readersFor(byte[] bytes) {
        List<ImageReader> readers = new ArrayList<>();
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
            ImageIO.getImageReaders(in).forEachRemaining(readers::add);
        } catch (IOException e) {
            return List.of();
        }
        readers.sort(Comparator.comparing((ImageReader r) -> !r.getClass().getName().startsWith("com.sun.")));
        return readers;
    }

    private DecodedImage read(ImageReader reader, byte[] bytes, LongConsumer admit) throws IOException {
        String format = reader.getFormatName();
        long width = reader.getWidth(0);
        long height = reader.getHeight(0);
        if (width <= 0 || height <= 0) {
            throw new ImageRejectedException(Reason.CORRUPT, "the " + format + " header declares no pixels");
        }
        if (width * height > maxPixels) {
            throw new ImageRejectedException(Reason.TOO_MANY_PIXELS, "the " + format + " image declares "
                    + width + "x" + height + " pixels; the limit is " + maxPixels + " pixels");
        }
        admit.accept(width * height);
        reader.addIIOReadWarningListener((source, warning) -> {
            // libjpeg reports a truncated or damaged stream only as a warning, and fills the rest gray.
            String w = warning.toLowerCase(java.util.Locale.ROOT);
            if (w.contains("corrupt") || w.contains("premature") || w.contains("truncat")) {
                throw new ImageRejectedException(Reason.CORRUPT, "the " + format + " data is truncated or corrupt");
            }
        });
        BufferedImage image = reader.read(0);
        byte[] rgb = PixelReader.rgb(image);
        int orientation = format.equalsIgnoreCase("jpeg") ? ExifOrientation.of(bytes) : ExifOrientation.NORMAL;
        int[] size = new int[2];
        byte[] upright = ExifOrientation.apply(rgb, image.getWidth(), image.getHeight(), 3, orientation, size);
        return new DecodedImage(upright, size[0], size[1], format);
    }
}
