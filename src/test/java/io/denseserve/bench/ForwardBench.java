package io.denseserve.bench;

import ai.djl.Model;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.NoopTranslator;
import io.denseserve.bundle.ModelBundle;
import io.denseserve.model.ForwardMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * One forward-pass measurement in its own process (so peak RSS belongs to one configuration):
 * {@code ForwardBench <lean|concat|torchscript> <weights> <batch> <iterations>}. Prints one CSV
 * line: impl, batch, median images/s, peak RSS in MiB. Driven by {@code bench/forward.sh}.
 */
public final class ForwardBench {

    /** Input height and width; 224 unless {@code -Dbench.size} says otherwise (small sizes expose per-op overhead). */
    static final int SIZE = Integer.getInteger("bench.size", 224);

    /**
     * With {@code -Dbench.profile=FILE}, libtorch's profiler records the timed passes into FILE (a
     * Chrome trace; {@code bench/profile_summary.py} sums it per op). Profiling slows every op, so
     * the images/s of such a run are not comparable.
     */
    static final String PROFILE = System.getProperty("bench.profile");

    public static void main(String[] args) throws Exception {
        String impl = args[0];
        Path weights = Path.of(args[1]);
        int batch = Integer.parseInt(args[2]);
        int iterations = Integer.parseInt(args[3]);
        // Both the JVM's JIT and libtorch's per-shape kernel choices need warm-up; one-image passes are
        // short, so they get more warm-up passes. Every implementation gets the same.
        int warmup = batch == 1 ? 15 : 4;
        try (Model model = Model.newInstance(impl, "PyTorch")) {
            if (!Boolean.getBoolean("bench.keepGradMode")) {
                // As the service's inference workers do (BatchingPredictor): our eager network's parameters
                // require gradients, so with grad mode on libtorch would record autograd history per op.
                ai.djl.pytorch.jni.JniUtils.setGradMode(false);
            }
            if (impl.equals("torchscript")) {
                model.load(weights);
            } else {
                ModelBundle bundle = ModelBundle.torchvision("densenet121", weights);
                ForwardMode mode = impl.equals("lean") ? ForwardMode.LEAN : ForwardMode.CONCAT;
                model.setBlock(bundle.newNetwork(model.getNDManager(), mode));
            }
            double[] seconds = new double[iterations];
            try (Predictor<NDList, NDList> predictor = model.newPredictor(new NoopTranslator());
                    NDManager manager = NDManager.newBaseManager()) {
                for (int i = -warmup; i < iterations; i++) {
                    if (i == 0 && PROFILE != null) {
                        ai.djl.pytorch.jni.JniUtils.startProfile(false, true, false);
                    }
                    try (NDManager step = manager.newSubManager()) {
                        NDArray x = step.randomNormal(new Shape(batch, 3, SIZE, SIZE));
                        long start = System.nanoTime();
                        NDList out = predictor.predict(new NDList(x));
                        out.get(0).toFloatArray(); // make sure the result is materialised
                        if (i >= 0) {
                            seconds[i] = (System.nanoTime() - start) / 1e9;
                        }
                        out.close();
                    }
                }
                if (PROFILE != null) {
                    ai.djl.pytorch.jni.JniUtils.stopProfile(PROFILE);
                }
            }
            Arrays.sort(seconds);
            double median = seconds[iterations / 2];
            System.out.printf("RESULT,%s,%d,%.2f,%d%n", impl, batch, batch / median, peakRssMiB());
        }
    }

    static long peakRssMiB() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmHWM:")) {
                return Long.parseLong(line.replaceAll("\\D", "")) / 1024;
            }
        }
        return -1;
    }
}
