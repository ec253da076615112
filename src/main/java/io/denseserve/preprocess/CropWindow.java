package io.denseserve.preprocess;

/**
 * The part of an image the model sees, in the image's own pixel coordinates (continuous: pixel
 * {@code (i, j)} covers {@code [i, i+1) x [j, j+1)}): the center crop taken after the resize, mapped
 * back through the resize's scale factors.
 *
 * @param x left edge
 * @param y top edge
 * @param width in image pixels
 * @param height in image pixels
 */
public record CropWindow(double x, double y, double width, double height) {}
