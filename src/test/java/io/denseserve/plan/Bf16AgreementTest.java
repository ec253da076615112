package io.denseserve.plan;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import io.denseserve.bundle.ModelBundle;
import io.denseserve.fold.FoldedDenseNet;
import io.denseserve.model.DenseNetConfig;
import io.denseserve.preprocess.DecodedImage;
import io.denseserve.preprocess.ImagePreprocessor;
import io.denseserve.testing.Prerequisites;
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
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code precision=bf16} against fp32, where this CPU runs bfloat16 natively (elsewhere the service
 * falls back to fp32, so there is nothing to compare, and the test says so): the embedded
 * Fashion-MNIST model's top-1 class is the same on at least 99.5% of the 10,000 test images; on
 * real photos a DenseNet-121 with trained-like (mixed-sign) batch norms gives logits within
 * {@link #RANGE_FRACTION} of the fp32 logits' range and keeps the order of its top 6 wherever two
 * neighbours' fp32 logits are at least that far apart. Closer neighbours may swap: this randomised
 * network's logits on photos lie within thousandths of each other, nearer than bfloat16's 8-bit
 * mantissa resolves. The test prints each photo's top 5 both ways.
 */
class Bf16AgreementTest {

    private static final String PHOTOS_DENSENET = "densenet121";
    /**
     * Largest bf16 - fp32 logit difference accepted on a photo, as a fraction of its fp32 logits'
     * range (max - min): torch's own bfloat16 of this network (features in bf16, head in fp32, as
     * here) moves them by 0.6-1.9% of it ({@code bench/torch_bf16_deviation.py}). The bound is
     * relative because the error scales with the logits; how the CPU's kernels order their sums
     * (AVX-512 or AMX) moves it within that.
     */
    static final double RANGE_FRACTION = 0.02;

    @BeforeAll
    static void bf16RunsNatively() {
        CpuFeatures cpu = CpuFeatures.ofThisMachine();
        String why = cpu.bf16Instructions()
                ? "ONEDNN_MAX_CPU_ISA=" + cpu.oneDnnIsaLimit() + " keeps oneDNN off this CPU's " + cpu.bf16Flags()
                : "this CPU has neither avx512_bf16 nor amx_bf16";
        if (!cpu.bf16()) {
            System.err.println("*** SKIPPED Bf16AgreementTest: " + why + ", so precision=bf16 falls back to fp32 here "
                    + "(ModelService) and agreement cannot be measured ***");
        }
        Assumptions.assumeTrue(cpu.bf16(), "bf16 agreement: " + why);
    }

    @Test
    void defaultModelKeepsTopOneOnTheFashionMnistTestSet() throws Exception {
        Prerequisites.require(Files.exists(FashionMnist.dataDir().resolve("t10k-images-idx3-ubyte.gz")),
                "bf16 agreement on Fashion-MNIST: dataset-fashion-mnist not installed");
        ModelBundle bundle = ModelBundle.fromClasspath("/io/denseserve/default-model");
        ImagePreprocessor preprocessor = new ImagePreprocessor(bundle.manifest().preprocessing());
        FashionMnist test = FashionMnist.test(FashionMnist.dataDir());
        int side = FashionMnist.SIDE;
        float[][] images = new float[test.size()][];
        for (int i = 0; i < images.length; i++) {
            byte[] rgb = new byte[side * side * 3];
            for (int p = 0; p < side * side; p++) {
                Arrays.fill(rgb, p * 3, p * 3 + 3, test.images()[i * side * side + p]);
            }
            images[i] = preprocessor.apply(new DecodedImage(rgb, side, side, "png"));
        }
        int[] shape = {1, side, side};
        StateDict weights = bundle.loadWeights();
        DenseNetConfig config = bundle.manifest().architecture();
        int[] fp32 = TopK.first(logits(config, weights, Precision.FP32, shape, images));
        int[] bf16 = TopK.first(logits(config, weights, Precision.BF16, shape, images));
        int same = 0;
        int rightFp32 = 0;
        int rightBf16 = 0;
        for (int i = 0; i < images.length; i++) {
            same += fp32[i] == bf16[i] ? 1 : 0;
            rightFp32 += fp32[i] == test.labels()[i] ? 1 : 0;
            rightBf16 += bf16[i] == test.labels()[i] ? 1 : 0;
        }
        System.out.printf("RESULT,bf16-agreement,fashion-mnist,top-1 identical %d/%d, accuracy fp32 %.4f, bf16 %.4f%n",
                same, images.length, rightFp32 / (double) images.length, rightBf16 / (double) images.length);
        assertThat(same).as("images whose top-1 class bf16 keeps, of %d", images.length)
                .isGreaterThanOrEqualTo((int) Math.ceil(0.995 * images.length));
    }

    @Test
    void trainedLikeDenseNet121KeepsTopFiveOrderOnPhotos() throws Exception {
        Path photos = TorchvisionFixtures.preprocessing();
        StateDict weights = SafetensorsFormat.read(TorchvisionFixtures.models().resolve(PHOTOS_DENSENET)
                .resolve("weights.safetensors"));
        List<String> names = new ArrayList<>();
        List<float[]> images = new ArrayList<>();
        try (var files = Files.list(photos)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".safetensors")).sorted().toList()) {
                names.add(f.getFileName().toString().replace(".safetensors", ""));
                images.add(SafetensorsFormat.read(f).get("rgb").values());
            }
        }
        assertThat(images).as("skimage photos").hasSizeGreaterThanOrEqualTo(8);
        float[][] batch = images.toArray(float[][]::new);
        DenseNetConfig config = TorchvisionFixtures.config(PHOTOS_DENSENET);
        int[] shape = {3, 224, 224};
        float[][] fp32 = logits(config, weights, Precision.FP32, shape, batch);
        float[][] bf16 = logits(config, weights, Precision.BF16, shape, batch);
        int keptTopFive = 0;
        for (int i = 0; i < batch.length; i++) {
            double range = range(fp32[i]);
            double difference = maxAbsDiff(fp32[i], bf16[i]);
            double tolerance = RANGE_FRACTION * range;
            int[] expected = TopK.of(fp32[i], 5);
            int[] actual = TopK.of(bf16[i], 5);
            keptTopFive += Arrays.equals(expected, actual) ? 1 : 0;
            System.out.printf("RESULT,bf16-agreement,%s,fp32 top-5 %s, bf16 top-5 %s, smallest fp32 gap in the top 6 %.4f,"
                    + " max |logit difference| %.4f (%.2f%% of the fp32 range)%n", names.get(i), Arrays.toString(expected),
                    Arrays.toString(actual), smallestGap(fp32[i], 6), difference, 100 * difference / range);
            assertThat(difference).as("%s: max |bf16 - fp32| logit, fp32 range %.3f", names.get(i), range)
                    .isLessThanOrEqualTo(tolerance);
            int[] six = TopK.of(fp32[i], 6);
            for (int a = 0; a < six.length; a++) {
                for (int b = a + 1; b < six.length; b++) {
                    if (fp32[i][six[a]] - fp32[i][six[b]] >= tolerance) {
                        assertThat(bf16[i][six[a]]).as("%s: class %d above class %d in bf16 as in fp32", names.get(i),
                                six[a], six[b]).isGreaterThan(bf16[i][six[b]]);
                    }
                }
            }
        }
        System.out.printf("RESULT,bf16-agreement,photos,top-5 order identical on %d of %d%n", keptTopFive, batch.length);
    }

    /** Logits of every image from the libtorch plan in the given precision, in batches of 64. */
    private static float[][] logits(DenseNetConfig config, StateDict weights, Precision precision, int[] shape,
            float[][] images) {
        float[][] out = new float[images.length][];
        try (InferencePlan plan = PlanCompiler.compile(FoldedDenseNet.of(config, weights), InferenceEngine.PYTORCH, Device.cpu(), precision,
                shape, 2); ForwardPass pass = plan.open()) {
            for (int from = 0; from < images.length; from += 64) {
                int to = Math.min(images.length, from + 64);
                float[][] rows = pass.logits(Arrays.copyOfRange(images, from, to));
                System.arraycopy(rows, 0, out, from, rows.length);
            }
        }
        return out;
    }

    /** The smallest difference between neighbours among the row's {@code k} largest values. */
    private static double smallestGap(float[] row, int k) {
        int[] top = TopK.of(row, k);
        double gap = Double.MAX_VALUE;
        for (int i = 1; i < k; i++) {
            gap = Math.min(gap, row[top[i - 1]] - row[top[i]]);
        }
        return gap;
    }

    private static double range(float[] row) {
        double min = Double.MAX_VALUE;
        double max = -Double.MAX_VALUE;
        for (float v : row) {
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        return max - min;
    }

    private static double maxAbsDiff(float[] a, float[] b) {
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs((double) a[i] - b[i]));
        }
        return max;
    }
}
