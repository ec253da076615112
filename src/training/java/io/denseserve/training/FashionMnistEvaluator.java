package io.denseserve.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.denseserve.bundle.ModelBundle;
import io.denseserve.model.DenseNet;
import io.denseserve.preprocess.DecodedImage;
import io.denseserve.preprocess.ImagePreprocessor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Evaluates a model bundle on all 10,000 Fashion-MNIST test images in process, preparing each
 * image with the service's own preprocessing: top-1 accuracy, per-class accuracy and the confusion
 * matrix, as text and as {@code confusion-matrix.png}.
 *
 * <pre>
 * scripts/evaluate-fashion-mnist.sh [bundle-dir|classpath] [out-dir]
 * </pre>
 */
public final class FashionMnistEvaluator {

    private FashionMnistEvaluator() {}

    public static void main(String[] args) throws Exception {
        String source = args.length > 0 ? args[0] : "classpath";
        Path out = Path.of(args.length > 1 ? args[1] : "target/fashion-mnist-eval");
        ModelBundle bundle = source.equals("classpath")
                ? ModelBundle.fromClasspath("/io/denseserve/default-model") : ModelBundle.open(Path.of(source));
        FashionMnist test = FashionMnist.test(FashionMnist.dataDir());
        int[][] confusion = evaluate(bundle, test);
        List<String> report = report(bundle.manifest().name() + " " + bundle.manifest().version(), confusion);
        report.forEach(System.out::println);
        Files.createDirectories(out);
        Files.write(out.resolve("evaluation.txt"), report);
        TrainingCharts.confusion(out.resolve("confusion-matrix.png"), confusion, FashionMnist.CLASSES);
    }

    /** confusion[truth][prediction] over the whole set. */
    static int[][] evaluate(ModelBundle bundle, FashionMnist data) throws IOException {
        ImagePreprocessor preprocessor = new ImagePreprocessor(bundle.manifest().preprocessing());
        int classes = bundle.manifest().labels().size();
        int[][] confusion = new int[classes][classes];
        int side = FashionMnist.SIDE;
        int size = preprocessor.inputSize();
        try (NDManager manager = NDManager.newBaseManager()) {
            DenseNet net = bundle.newNetwork(manager);
            ParameterStore store = new ParameterStore(manager, false);
            int batch = 200;
            for (int from = 0; from < data.size(); from += batch) {
                int n = Math.min(batch, data.size() - from);
                float[] x = new float[n * size];
                for (int i = 0; i < n; i++) {
                    byte[] rgb = new byte[side * side * 3];
                    for (int p = 0; p < side * side; p++) {
                        byte v = data.images()[(from + i) * side * side + p];
                        rgb[3 * p] = v;
                        rgb[3 * p + 1] = v;
                        rgb[3 * p + 2] = v;
                    }
                    System.arraycopy(preprocessor.apply(new DecodedImage(rgb, side, side, "idx")), 0, x, i * size, size);
                }
                try (NDManager step = manager.newSubManager()) {
                    int crop = bundle.manifest().preprocessing().crop();
                    NDArray input = step.create(x, new Shape(n, preprocessor.spec().colorMode().channels(), crop, crop));
                    long[] predicted = net.forward(store, new NDList(input), false).singletonOrThrow().argMax(1).toLongArray();
                    for (int i = 0; i < n; i++) {
                        confusion[data.labels()[from + i]][(int) predicted[i]]++;
                    }
                }
            }
        }
        return confusion;
    }

    /** Correct predictions (the diagonal) over all predictions. */
    static double accuracy(int[][] confusion) {
        long correct = 0;
        long total = 0;
        for (int c = 0; c < confusion.length; c++) {
            for (int p = 0; p < confusion.length; p++) {
                total += confusion[c][p];
                correct += c == p ? confusion[c][p] : 0;
            }
        }
        return (double) correct / total;
    }

    static List<String> report(String model, int[][] confusion) {
        List<String> lines = new ArrayList<>();
        long total = java.util.Arrays.stream(confusion).flatMapToInt(java.util.Arrays::stream).sum();
        lines.add(String.format(Locale.ROOT, "%s: top-1 accuracy %.4f (%d images)", model, accuracy(confusion), total));
        for (int c = 0; c < confusion.length; c++) {
            int row = 0;
            for (int v : confusion[c]) {
                row += v;
            }
            lines.add(String.format(Locale.ROOT, "  %-12s %.4f", FashionMnist.CLASSES.get(c), (double) confusion[c][c] / row));
        }
        lines.add("confusion matrix (rows: truth, columns: prediction):");
        for (int[] row : confusion) {
            StringBuilder sb = new StringBuilder("  ");
            for (int v : row) {
                sb.append(String.format(Locale.ROOT, "%5d", v));
            }
            lines.add(sb.toString());
        }
        return lines;
    }
}
