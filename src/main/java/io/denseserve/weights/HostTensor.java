package io.denseserve.weights;

import java.util.Arrays;

/**
 * A tensor read from a weights file into Java memory, as float32 in C (row-major) order, whatever
 * its stored type: checkpoints may hold float16, bfloat16 or float64, and integer buffers such as
 * BatchNorm's {@code num_batches_tracked}.
 *
 * @param shape the dimensions, outermost first
 * @param values {@code product(shape)} values
 * @param storedType the type in the file, in safetensors' spelling ({@code F32}, {@code I64}, ...)
 */
public record HostTensor(long[] shape, float[] values, String storedType) {

    public HostTensor {
        if (numel(shape) != values.length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " needs " + numel(shape)
                    + " values, got " + values.length);
        }
    }

    /** Number of elements a shape holds; -1 if it is negative or would exceed a Java array. */
    static long numel(long[] shape) {
        long n = 1;
        for (long d : shape) {
            if (d < 0) {
                return -1;
            }
            // Checked before multiplying: a huge dimension after a large product overflows a long.
            if (n != 0 && d > (Integer.MAX_VALUE - 8) / n) {
                return -1;
            }
            n *= d;
        }
        return n;
    }

    /** The shape as PyTorch prints it, such as {@code [32, 128, 3, 3]}. */
    public String shapeText() {
        return Arrays.toString(shape);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HostTensor t && Arrays.equals(shape, t.shape) && Arrays.equals(values, t.values);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(shape) + Arrays.hashCode(values);
    }

    @Override
    public String toString() {
        return "HostTensor" + shapeText() + "(" + storedType + ")";
    }
}
