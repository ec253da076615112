package io.denseserve.testing;

import java.util.Arrays;

/** Indices of a row's largest values, largest first, the lower index first among equal ones. */
public final class TopK {

    private TopK() {}

    public static int[] of(float[] row, int k) {
        Integer[] order = new Integer[row.length];
        for (int i = 0; i < row.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Float.compare(row[b], row[a]));
        return Arrays.stream(order, 0, k).mapToInt(Integer::intValue).toArray();
    }

    /** Each row's largest value's index. */
    public static int[] first(float[][] rows) {
        return Arrays.stream(rows).mapToInt(row -> of(row, 1)[0]).toArray();
    }
}
