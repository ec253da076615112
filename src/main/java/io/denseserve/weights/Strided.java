package io.denseserve.weights;

/**
 * Copies a strided view out of flat storage into C order, as {@code tensor.contiguous()} does.
 * PyTorch checkpoints store (storage, offset, size, stride) and need not be contiguous.
 */
final class Strided {

    private Strided() {}

    /** The strides of a C-ordered (row-major) tensor of {@code shape}. */
    static long[] rowMajorStrides(long[] shape) {
        long[] strides = new long[shape.length];
        long s = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            strides[i] = s;
            s *= Math.max(shape[i], 1);
        }
        return strides;
    }

    /** The strides of a Fortran-ordered (column-major) tensor of {@code shape}. */
    static long[] columnMajorStrides(long[] shape) {
        long[] strides = new long[shape.length];
        long s = 1;
        for (int i = 0; i < shape.length; i++) {
            strides[i] = s;
            s *= Math.max(shape[i], 1);
        }
        return strides;
    }

    /**
     * Gathers {@code product(shape)} elements of {@code storage} at {@code offset + Σ index·stride}.
     *
     * @throws IndexOutOfBoundsException if the view reaches outside the storage
     */
    static float[] gather(float[] storage, long offset, long[] shape, long[] strides) {
        long numel = HostTensor.numel(shape);
        if (numel < 0) {
            throw new IndexOutOfBoundsException("invalid shape");
        }
        if (numel == 0) {
            return new float[0];
        }
        long last = offset;
        for (int d = 0; d < shape.length; d++) {
            if (strides[d] < 0) {
                throw new IndexOutOfBoundsException("negative stride " + strides[d]);
            }
            last += (shape[d] - 1) * strides[d];
        }
        if (offset < 0 || last >= storage.length) {
            throw new IndexOutOfBoundsException("view [" + offset + ", " + last + "] outside storage of "
                    + storage.length + " elements");
        }
        if (java.util.Arrays.equals(strides, rowMajorStrides(shape))) {
            return java.util.Arrays.copyOfRange(storage, (int) offset, (int) (offset + numel));
        }
        float[] out = new float[(int) numel];
        long[] index = new long[shape.length];
        for (int i = 0; i < out.length; i++) {
            long at = offset;
            for (int d = 0; d < shape.length; d++) {
                at += index[d] * strides[d];
            }
            out[i] = storage[(int) at];
            for (int d = shape.length - 1; d >= 0 && ++index[d] == shape[d]; d--) {
                index[d] = 0;
            }
        }
        return out;
    }
}
