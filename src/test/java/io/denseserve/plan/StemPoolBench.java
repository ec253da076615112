package io.denseserve.plan;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.pooling.Pool;
import ai.djl.pytorch.jni.JniUtils;
import java.util.Arrays;
import java.util.function.UnaryOperator;

/**
 * DenseNet-121's stem pooling on its conv0 output (64x112x112 per image): libtorch's
 * {@code max_pool2d} 3x3/2/1 then ReLU, against the libtorch plan's ReLU then
 * {@link LibtorchDenseNet#halveMax} on rows and columns; checks they agree exactly, then prints the
 * median of 100 runs of each, interleaved, 2 intra-op threads.
 *
 * <p>{@code java -cp "target/test-classes:target/classes:$(cat target/bench/cp.txt)"
 * io.denseserve.plan.StemPoolBench BATCH}
 */
public final class StemPoolBench {

    public static void main(String[] args) {
        int batch = Integer.parseInt(args[0]);
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            JniUtils.setNumThreads(2);
            JniUtils.setGradMode(false);
            NDArray x = manager.randomNormal(new Shape(batch, 64, 112, 112));
            UnaryOperator<NDArray> libtorch = v -> {
                try (NDArray pooled = Pool.maxPool2d(v, new Shape(3, 3), new Shape(2, 2), new Shape(1, 1), false)) {
                    return Activation.relu(pooled);
                }
            };
            UnaryOperator<NDArray> plan = v -> LibtorchDenseNet.halveMax(LibtorchDenseNet.halveMax(Activation.relu(v), 2), 3);
            try (NDArray a = libtorch.apply(x); NDArray b = plan.apply(x); NDArray diff = a.sub(b).abs()) {
                if (!a.getShape().equals(b.getShape()) || diff.max().getFloat() != 0f) {
                    throw new AssertionError("the two poolings differ: " + a.getShape() + " vs " + b.getShape());
                }
            }
            long[][] nanos = new long[2][100];
            for (int i = 0; i < 120; i++) {
                for (int k = 0; k < 2; k++) {
                    try (NDManager step = manager.newSubManager()) {
                        NDArray input = x.duplicate();
                        input.attach(step);
                        long start = System.nanoTime();
                        (k == 0 ? libtorch : plan).apply(input);
                        if (i >= 20) {
                            nanos[k][i - 20] = System.nanoTime() - start;
                        }
                    }
                }
            }
            System.out.printf("RESULT,stem-pool,batch=%d,max_pool2d+relu %.2f ms,relu+halveMax %.2f ms%n", batch,
                    median(nanos[0]) / 1e6, median(nanos[1]) / 1e6);
        }
    }

    private static double median(long[] values) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}
