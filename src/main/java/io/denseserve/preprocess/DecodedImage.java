package io.denseserve.preprocess;

/**
 * An upright 8-bit RGB image: {@code height * width * 3} bytes, row-major, channels interleaved.
 *
 * @param format the decoder's name for the source format ({@code JPEG}, {@code png}, ...)
 */
public record DecodedImage(byte[] rgb, int width, int height, String format) {}
