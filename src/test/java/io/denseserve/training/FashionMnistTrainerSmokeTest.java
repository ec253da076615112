package io.denseserve.training;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import io.denseserve.bundle.ModelBundle;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import io.denseserve.testing.Prerequisites;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A short training run on a subset of Fashion-MNIST (Debian's dataset-fashion-mnist) must lower the
 * loss, write its CSV, plot and checkpoint, resume from the checkpoint, and produce a bundle that
 * loads. It never touches the shipped model.
 */
class FashionMnistTrainerSmokeTest {

    @TempDir
    Path out;

    @Test
    void shortRunLowersLossAndWritesALoadableBundle() throws Exception {
        Prerequisites.require(Files.exists(FashionMnist.dataDir().resolve("train-images-idx3-ubyte.gz")),
                "trainer smoke test: " + FashionMnist.dataDir() + " missing (install Debian's dataset-fashion-mnist)");
        FashionMnist train = FashionMnist.train(FashionMnist.dataDir()).head(1200);
        FashionMnist test = FashionMnist.test(FashionMnist.dataDir()).head(500);
        String[] args = {"--out", out.toString(), "--epochs", "3", "--depth", "10", "--growth", "6", "--batch", "32"};
        // Two epochs, then a resumed third.
        TrainingOptions two = TrainingOptions.parse(new String[] {"--out", out.toString(), "--epochs", "3",
            "--depth", "10", "--growth", "6", "--batch", "32"});
        new FashionMnistTrainer(new TrainingOptions(two.out(), two.data(), 2, two.batchSize(), two.learningRate(),
                two.weightDecay(), two.depth(), two.growthRate(), 0, two.seed(), false), train, test).run();
        EpochMetrics last = new FashionMnistTrainer(TrainingOptions.parse(concat(args, "--resume")), train, test).run();

        List<String> csv = Files.readAllLines(out.resolve("metrics.csv"));
        assertThat(csv).hasSize(4); // header + 3 epochs, the third after resuming
        double firstLoss = EpochMetrics.parse(csv.get(1)).trainLoss();
        assertThat(last.epoch()).isEqualTo(3);
        assertThat(last.trainLoss()).isLessThan(firstLoss);
        assertThat(firstLoss).isLessThan(Math.log(10) + 0.5);
        assertThat(last.testAccuracy()).isGreaterThan(0.3); // chance is 0.1
        BufferedImage curves = ImageIO.read(out.resolve("training-curves.png").toFile());
        assertThat(curves.getWidth()).as("loss and accuracy side by side").isEqualTo(1000);
        assertThat(out.resolve("checkpoint.safetensors")).isNotEmptyFile();

        ModelBundle bundle = ModelBundle.open(out.resolve("bundle"));
        assertThat(bundle.manifest().labels()).containsExactlyElementsOf(FashionMnist.CLASSES);
        assertThat(bundle.manifest().provenance()).containsKeys("dataset", "training", "wallTimeSeconds", "hardware");
        try (NDManager manager = NDManager.newBaseManager()) {
            assertThat(bundle.newNetwork(manager)).isNotNull();
        }
        // Serving's preprocessing and lean network agree with the trainer's own evaluation:
        // the normalisation used in training is the one the bundle states.
        int[][] confusion = FashionMnistEvaluator.evaluate(bundle, test);
        assertThat(java.util.Arrays.stream(confusion).flatMapToInt(java.util.Arrays::stream).sum()).isEqualTo(test.size());
        assertThat(FashionMnistEvaluator.accuracy(confusion)).isCloseTo(last.testAccuracy(), org.assertj.core.data.Offset.offset(0.005));
        TrainingCharts.confusion(out.resolve("confusion-matrix.png"), confusion, FashionMnist.CLASSES);
        assertThat(ImageIO.read(out.resolve("confusion-matrix.png").toFile()).getHeight()).isEqualTo(750);
    }

    private static String[] concat(String[] a, String b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + 1);
        out[a.length] = b;
        return out;
    }
}
