package io.denseserve.bench;

import ai.djl.Device;
import ai.onnxruntime.OrtSession;
import io.denseserve.bundle.ModelBundle;
import io.denseserve.fold.FoldedDenseNet;
import io.denseserve.model.DenseNetConfig;
import io.denseserve.plan.InferenceEngine;
import io.denseserve.plan.OnnxRuntimePlan;
import io.denseserve.plan.PlanCompiler;
import io.denseserve.plan.Precision;
import io.denseserve.preprocess.DecodedImage;
import io.denseserve.preprocess.ImagePreprocessor;
import io.denseserve.testing.TopK;
import io.denseserve.testing.TorchvisionFixtures;
import io.denseserve.training.FashionMnist;
import io.denseserve.weights.SafetensorsFormat;
import io.denseserve.weights.StateDict;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * How close int8 (ONNX Runtime's integer convolutions on the service's graph, {@link QdqRewrite})
 * stays to fp32: {@code Int8Bench agreement} prints the top-1 agreement of the embedded
 * Fashion-MNIST model on the 10,000 test images (calibrated on 1,000 training images) and, for a
 * DenseNet-121 with trained-like weights, each skimage photo's top 5 both ways (calibrated on the
 * photos). Its speed is {@code bench/forward.sh}'s {@code onnxruntime-int8} row.
 */
public final class Int8Bench {

    private static final int CALIBRATION_IMAGES = 1000;

    public static void main(String[] args) throws Exception {
        fashionMnist();
        photos();
        System.exit(0);
    }

    /** The service's DenseNet-121 graph for {@code pth}, in QDQ form, calibrated on skimage's photos. */
    static byte[] int8Graph(OnnxRuntimePlan plan) throws Exception {
        QdqRewrite rewrite = new QdqRewrite(plan.graph());
        return rewrite.quantize(rewrite.calibrate(photoImages(new ArrayList<>()), new long[] {3, 224, 224}, 4));
    }

    /**
     * ONNX Runtime's options for the service plan's pass that runs alone, less its
     * {@code QDQPropagationTransformer}: it moves the quantize node after the stem above its max pool, which then runs on uint8 at
     * 18-20 ms of a 79 ms batch-8 pass instead of 2.7 ms in fp32 (ONNX Runtime's profiler,
     * {@code -Dbench.profile}).
     */
    static OrtSession.SessionOptions sessionOptions(int threads) throws Exception {
        OrtSession.SessionOptions options = OnnxRuntimePlan.sessionOptions(threads, true);
        options.addConfigEntry("optimization.disable_specified_optimizers", "QDQPropagationTransformer");
        return options;
    }

    private static void fashionMnist() throws Exception {
        ModelBundle bundle = ModelBundle.fromClasspath("/io/denseserve/default-model");
        ImagePreprocessor preprocessor = new ImagePreprocessor(bundle.manifest().preprocessing());
        FashionMnist test = FashionMnist.test(FashionMnist.dataDir());
        FashionMnist train = FashionMnist.train(FashionMnist.dataDir());
        float[][] images = fashionImages(test, test.size(), preprocessor);
        float[][] calibration = fashionImages(train, CALIBRATION_IMAGES, preprocessor);
        long[] shape = {1, FashionMnist.SIDE, FashionMnist.SIDE};
        byte[] fp32 = graph(bundle.manifest().architecture(), bundle.loadWeights(), shape);
        QdqRewrite rewrite = new QdqRewrite(fp32);
        byte[] int8 = rewrite.quantize(rewrite.calibrate(calibration, shape, 64));
        int[] a = TopK.first(logits(fp32, images, shape));
        int[] b = TopK.first(logits(int8, images, shape));
        int same = 0;
        int rightFp32 = 0;
        int rightInt8 = 0;
        for (int i = 0; i < images.length; i++) {
            same += a[i] == b[i] ? 1 : 0;
            rightFp32 += a[i] == test.labels()[i] ? 1 : 0;
            rightInt8 += b[i] == test.labels()[i] ? 1 : 0;
        }
        System.out.printf("RESULT,int8-agreement,fashion-mnist,%d convolutions quantized,top-1 identical %d/%d,"
                + " accuracy fp32 %.4f, int8 %.4f%n", rewrite.convolutions(), same, images.length,
                rightFp32 / (double) images.length, rightInt8 / (double) images.length);
    }

    private static void photos() throws Exception {
        StateDict weights = SafetensorsFormat.read(TorchvisionFixtures.models().resolve("densenet121")
                .resolve("weights.safetensors"));
        List<String> names = new ArrayList<>();
        float[][] images = photoImages(names);
        long[] shape = {3, 224, 224};
        byte[] fp32 = graph(TorchvisionFixtures.config("densenet121"), weights, shape);
        QdqRewrite rewrite = new QdqRewrite(fp32);
        byte[] int8 = rewrite.quantize(rewrite.calibrate(images, shape, 4));
        float[][] a = logits(fp32, images, shape);
        float[][] b = logits(int8, images, shape);
        int kept = 0;
        for (int i = 0; i < images.length; i++) {
            int[] ta = TopK.of(a[i], 5);
            int[] tb = TopK.of(b[i], 5);
            kept += Arrays.equals(ta, tb) ? 1 : 0;
            System.out.printf("RESULT,int8-agreement,%s,fp32 top-5 %s, int8 top-5 %s%n", names.get(i),
                    Arrays.toString(ta), Arrays.toString(tb));
        }
        System.out.printf("RESULT,int8-agreement,photos,top-5 order identical on %d of %d%n", kept, images.length);
    }

    private static float[][] photoImages(List<String> names) throws Exception {
        List<float[]> images = new ArrayList<>();
        try (var files = Files.list(TorchvisionFixtures.preprocessing())) {
            for (Path f : files.filter(p -> p.toString().endsWith(".safetensors")).sorted().toList()) {
                names.add(f.getFileName().toString().replace(".safetensors", ""));
                images.add(SafetensorsFormat.read(f).get("rgb").values());
            }
        }
        return images.toArray(float[][]::new);
    }

    private static float[][] fashionImages(FashionMnist set, int count, ImagePreprocessor preprocessor) {
        int side = FashionMnist.SIDE;
        float[][] images = new float[count][];
        for (int i = 0; i < count; i++) {
            byte[] rgb = new byte[side * side * 3];
            for (int p = 0; p < side * side; p++) {
                Arrays.fill(rgb, p * 3, p * 3 + 3, set.images()[i * side * side + p]);
            }
            images[i] = preprocessor.apply(new DecodedImage(rgb, side, side, "png"));
        }
        return images;
    }

    private static byte[] graph(DenseNetConfig config, StateDict weights, long[] shape) {
        int[] imageShape = {(int) shape[0], (int) shape[1], (int) shape[2]};
        return ((OnnxRuntimePlan) PlanCompiler.compile(FoldedDenseNet.of(config, weights), InferenceEngine.ONNXRUNTIME, Device.cpu(),
                Precision.FP32, imageShape, 2)).graph();
    }

    private static float[][] logits(byte[] model, float[][] images, long[] shape) throws Exception {
        float[][] out = new float[images.length][];
        try (OrtSession.SessionOptions options = sessionOptions(2)) {
            QdqRewrite.runBatches(model, options, images, shape, 64, "input", Set.of("logits"), (from, result) -> {
                float[][] rows = (float[][]) result.get(0).getValue();
                System.arraycopy(rows, 0, out, from, rows.length);
            });
        }
        return out;
    }
}
