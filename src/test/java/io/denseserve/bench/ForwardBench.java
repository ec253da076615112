package io.denseserve.bench;

import ai.djl.Model;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.NoopTranslator;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.denseserve.bundle.ModelBundle;
import io.denseserve.fold.FoldedDenseNet;
import io.denseserve.plan.ForwardPass;
import io.denseserve.plan.InferenceEngine;
import io.denseserve.plan.InferencePlan;
import io.denseserve.plan.OnnxRuntimePlan;
import io.denseserve.plan.PlanCompiler;
import io.denseserve.plan.Precision;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;

/**
 * One forward-pass measurement in its own process (so peak RSS belongs to one configuration):
 * {@code ForwardBench <impl> <file> <batch> <iterations>}, where impl is
 * <ul>
 *   <li>{@code onnxruntime} or {@code pytorch}: the service's plan for that engine, compiled from a
 *       torchvision densenet121 {@code .pth}, called as the service calls it (float[][] in,
 *       logits out) on the pass it runs when a batch is the only work;</li>
 *   <li>{@code onnxruntime-int8}: the same plan's graph in int8 ({@link Int8Bench}), with that
 *       pass's ONNX Runtime options;</li>
 *   <li>{@code torchscript}: a traced {@code .pt} through DJL;</li>
 *   <li>{@code ort-default}: ONNX Runtime on torchvision's own {@code torch.onnx.export} of the
 *       same weights, with ONNX Runtime's own defaults (nothing of ours applied, one intra-op thread
 *       per CPU: {@link #peerOptions}), as a user who picks ONNX Runtime runs it.</li>
 * </ul>
 * Prints one CSV line: impl, batch, median images/s, peak RSS in MiB. Driven by {@code
 * bench/forward.sh}.
 */
public final class ForwardBench {

    /** Input height and width; 224 unless {@code -Dbench.size} says otherwise (small sizes expose per-op overhead). */
    static final int SIZE = Integer.getInteger("bench.size", 224);
    static final int THREADS_DEFAULT = 2;
    static final int THREADS = Integer.getInteger("bench.threads", THREADS_DEFAULT);

    /**
     * With {@code -Dbench.profile=FILE}, the engine's profiler records the passes into FILE: for
     * torchscript and pytorch libtorch's (a Chrome trace of the timed passes; {@code
     * bench/profile_summary.py} sums it per op), for the two ONNX Runtime rows ONNX Runtime's (a
     * JSON trace of every pass, named FILE plus a timestamp; {@code bench/ort_profile_summary.py}
     * sums it per operator, leaving out the warm-up). Profiling slows every op, so the images/s of
     * such a run are not comparable.
     */
    static final String PROFILE = System.getProperty("bench.profile");

    public static void main(String[] args) throws Exception {
        String impl = args[0];
        Path file = Path.of(args[1]);
        int batch = Integer.parseInt(args[2]);
        int iterations = Integer.parseInt(args[3]);
        // Both the JVM's JIT and the engines' per-shape kernel choices need warm-up; one-image passes
        // are short, so they get more warm-up passes. Every implementation gets the same.
        int warmup = batch == 1 ? 15 : 4;
        Forward forward = switch (impl) {
            case "onnxruntime" -> PROFILE == null ? plan(InferenceEngine.ONNXRUNTIME, file)
                    : onnxRuntime(((OnnxRuntimePlan) compile(InferenceEngine.ONNXRUNTIME, file)).graph(),
                            OnnxRuntimePlan.sessionOptions(THREADS, true));
            case "onnxruntime-int8" -> onnxRuntime(Int8Bench.int8Graph((OnnxRuntimePlan) compile(InferenceEngine.ONNXRUNTIME,
                    file)), Int8Bench.sessionOptions(THREADS));
            case "pytorch" -> plan(InferenceEngine.PYTORCH, file);
            case "pytorch-bf16" -> plan(InferenceEngine.PYTORCH, Precision.BF16, file);
            case "torchscript" -> torchscript(file);
            case "ort-default" -> onnxRuntime(Files.readAllBytes(file), peerOptions());
            default -> throw new IllegalArgumentException("unknown implementation " + impl);
        };
        Random random = new Random(0);
        double[] seconds = new double[iterations];
        for (int i = -warmup; i < iterations; i++) {
            if (i == 0 && PROFILE != null && !impl.startsWith("onnxruntime") && !impl.startsWith("ort-")) {
                ai.djl.pytorch.jni.JniUtils.startProfile(false, true, false);
            }
            float[][] images = new float[batch][3 * SIZE * SIZE];
            for (float[] image : images) {
                for (int j = 0; j < image.length; j++) {
                    image[j] = (float) random.nextGaussian();
                }
            }
            long start = System.nanoTime();
            forward.logits(images);
            if (i >= 0) {
                seconds[i] = (System.nanoTime() - start) / 1e9;
            }
        }
        if (PROFILE != null && !impl.startsWith("onnxruntime") && !impl.startsWith("ort-")) {
            ai.djl.pytorch.jni.JniUtils.stopProfile(PROFILE);
        }
        if (profiled != null) {
            System.out.println("ONNX Runtime profile: " + profiled.endProfiling());
        }
        Arrays.sort(seconds);
        double median = seconds[iterations / 2];
        System.out.printf("RESULT,%s,%d,%.2f,%d%n", impl, batch, batch / median, peakRssMiB());
        System.exit(0);
    }

    /** A forward pass that returns (and so materialises) the logits. */
    interface Forward {
        Object logits(float[][] images) throws Exception;
    }

    static InferencePlan compile(InferenceEngine engine, Path pth) throws Exception {
        return compile(engine, Precision.FP32, pth);
    }

    static InferencePlan compile(InferenceEngine engine, Precision precision, Path pth) throws Exception {
        ModelBundle bundle = ModelBundle.torchvision("densenet121", pth);
        return PlanCompiler.compile(FoldedDenseNet.of(bundle.manifest().architecture(), bundle.loadWeights()), engine,
                ai.djl.Device.cpu(), precision, new int[] {3, SIZE, SIZE}, THREADS);
    }

    static Forward plan(InferenceEngine engine, Path pth) throws Exception {
        return plan(engine, Precision.FP32, pth);
    }

    static Forward plan(InferenceEngine engine, Precision precision, Path pth) throws Exception {
        InferencePlan plan = compile(engine, precision, pth);
        ForwardPass pass = plan.openAlone(plan.threads()); // as the service runs a batch that is the only work
        return pass::logits;
    }

    static Forward torchscript(Path pt) throws Exception {
        Model model = Model.newInstance("torchscript", "PyTorch");
        model.load(pt);
        ai.djl.pytorch.jni.JniUtils.setNumThreads(THREADS);
        ai.djl.pytorch.jni.JniUtils.setGradMode(false);
        Predictor<NDList, NDList> predictor = model.newPredictor(new NoopTranslator());
        NDManager manager = NDManager.newBaseManager();
        return images -> {
            try (NDManager step = manager.newSubManager()) {
                float[] flat = new float[images.length * images[0].length];
                for (int i = 0; i < images.length; i++) {
                    System.arraycopy(images[i], 0, flat, i * images[i].length, images[i].length);
                }
                NDArray x = step.create(flat, new Shape(images.length, 3, SIZE, SIZE));
                NDList out = predictor.predict(new NDList(x));
                float[] logits = out.get(0).toFloatArray();
                out.close();
                return logits;
            }
        };
    }

    private static OrtSession profiled;

    /**
     * ONNX Runtime's defaults as constructed, but for the intra-op thread count, set to the bench's
     * ({@value #THREADS_DEFAULT} unless {@code -Dbench.threads}). ONNX Runtime's default is one thread
     * per physical core, which is 2 on a 2-vCPU VM that reports its topology and 1 on one that hides
     * its caches (measured 28 vs 54 img/s at batch 8): the peer at its best gets every CPU.
     */
    static OrtSession.SessionOptions peerOptions() throws Exception {
        OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        options.setIntraOpNumThreads(THREADS);
        return options;
    }

    /** ONNX Runtime on a serialized model, with {@code options}. */
    static Forward onnxRuntime(byte[] model, OrtSession.SessionOptions options) throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        if (PROFILE != null) {
            options.enableProfiling(PROFILE);
        }
        OrtSession runtime = env.createSession(model, options);
        if (PROFILE != null) {
            profiled = runtime;
        }
        String input = runtime.getInputNames().iterator().next();
        return images -> {
            FloatBuffer flat = FloatBuffer.allocate(images.length * images[0].length);
            for (float[] image : images) {
                flat.put(image);
            }
            flat.flip();
            try (OnnxTensor x = OnnxTensor.createTensor(env, flat, new long[] {images.length, 3, SIZE, SIZE});
                    OrtSession.Result result = runtime.run(Map.of(input, x))) {
                return result.get(0).getValue();
            }
        };
    }

    static long peakRssMiB() throws Exception {
        return rssMiB("VmHWM:");
    }

    /** This process's {@code /proc/self/status} line {@code field} (VmRSS: now, VmHWM: peak), in MiB. */
    static long rssMiB(String field) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith(field)) {
                return Long.parseLong(line.replaceAll("\\D", "")) / 1024;
            }
        }
        return -1;
    }
}
