package io.denseserve.training;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.initializer.XavierInitializer;
import ai.djl.training.loss.Loss;
import io.denseserve.bundle.BundleManifest;
import io.denseserve.bundle.ModelBundle;
import io.denseserve.bundle.Preprocessing;
import io.denseserve.model.DenseNet;
import io.denseserve.model.DenseNetConfig;
import io.denseserve.plan.OneDnnCaches;
import io.denseserve.weights.SafetensorsFormat;
import io.denseserve.weights.StateDict;
import io.denseserve.weights.StateDictLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Trains the embedded default model: a DenseNet-BC (the same classes the service runs) on
 * Fashion-MNIST, with DJL's training API on libtorch.
 *
 * <p>Random crop (pad 2) and horizontal flip; SGD with Nesterov momentum and weight decay under a
 * warm-up + cosine schedule; a checkpoint, a CSV row and a plot after every epoch; {@code --resume}
 * continues from the checkpoint (momentum restarts from zero). The model bundle in
 * {@code OUT/bundle} is what the service serves.
 *
 * <pre>
 * scripts/train-fashion-mnist.sh --epochs 15 --out target/fashion-mnist [--resume] [--subset 2000]
 * </pre>
 */
public final class FashionMnistTrainer {

    private final TrainingOptions options;
    private final FashionMnist train;
    private final FashionMnist test;
    private final Random random;

    FashionMnistTrainer(TrainingOptions options, FashionMnist train, FashionMnist test) {
        this.options = options;
        this.train = train;
        this.test = test;
        this.random = new Random(options.seed());
    }

    public static void main(String[] args) throws Exception {
        TrainingOptions options = TrainingOptions.parse(args);
        FashionMnist train = FashionMnist.train(options.data());
        FashionMnist test = FashionMnist.test(options.data());
        if (options.subset() > 0) {
            train = train.head(options.subset());
            test = test.head(Math.max(1000, options.subset() / 5));
        }
        new FashionMnistTrainer(options, train, test).run();
    }

    /** Runs the remaining epochs; returns the last epoch's metrics. */
    EpochMetrics run() throws IOException {
        OneDnnCaches.problem().ifPresent(problem -> {
            throw new IllegalStateException("training would follow wrong gradients: " + problem);
        });
        Files.createDirectories(options.out());
        DenseNetConfig config = DenseNetConfig.bc(options.depth(), options.growthRate(), 1, FashionMnist.CLASSES.size());
        int stepsPerEpoch = (train.size() + options.batchSize() - 1) / options.batchSize();
        CosineSchedule schedule = new CosineSchedule(options.learningRate(), stepsPerEpoch, stepsPerEpoch * options.epochs());
        DefaultTrainingConfig trainingConfig = new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
                .optInitializer(new XavierInitializer(XavierInitializer.RandomType.GAUSSIAN, XavierInitializer.FactorType.IN, 2),
                        ai.djl.nn.Parameter.Type.WEIGHT)
                .optOptimizer(new NesterovSgd(schedule, 0.9f, options.weightDecay()));
        List<EpochMetrics> history = readHistory();
        try (Model model = Model.newInstance("fashion-mnist", "PyTorch")) {
            DenseNet net = DenseNet.of(config);
            model.setBlock(net);
            try (Trainer trainer = model.newTrainer(trainingConfig)) {
                trainer.initialize(new Shape(options.batchSize(), 1, FashionMnist.SIDE, FashionMnist.SIDE));
                int firstEpoch = 1;
                double previousSeconds = 0;
                String earlierSchedule = "";
                Path checkpoint = options.out().resolve("checkpoint.safetensors");
                if (options.resume() && Files.exists(checkpoint)) {
                    StateDict saved = SafetensorsFormat.read(checkpoint);
                    StateDictLoader.load(net, saved);
                    firstEpoch = Integer.parseInt(saved.metadata().get("epoch")) + 1;
                    previousSeconds = Double.parseDouble(saved.metadata().getOrDefault("trainSeconds", "0"));
                    schedule.setOffset((firstEpoch - 1) * stepsPerEpoch);
                    earlierSchedule = saved.metadata().getOrDefault("schedule",
                            "epochs 1-" + (firstEpoch - 1) + ": schedule not recorded in the checkpoint") + "; ";
                    System.err.printf("resuming after epoch %d from %s%n", firstEpoch - 1, checkpoint);
                } else {
                    history.clear();
                }
                EpochMetrics last = history.isEmpty() ? null : history.get(history.size() - 1);
                double totalSeconds = previousSeconds;
                String scheduleRecord = earlierSchedule + scheduleSegment(firstEpoch);
                for (int epoch = firstEpoch; epoch <= options.epochs(); epoch++) {
                    long start = System.nanoTime();
                    double[] trainStats = trainEpoch(trainer, epoch);
                    double seconds = (System.nanoTime() - start) / 1e9;
                    totalSeconds += seconds;
                    double[] testStats = evaluate(trainer.getModel().getBlock(), model.getNDManager());
                    last = new EpochMetrics(epoch, schedule.valueAtStep(epoch * stepsPerEpoch), trainStats[0], trainStats[1], testStats[0],
                            testStats[1], seconds, train.size() / seconds);
                    history.add(last);
                    System.err.printf(Locale.ROOT, "%nepoch %d: train loss %.4f acc %.4f | test loss %.4f acc %.4f | %.0f s, %.0f img/s%n",
                            epoch, last.trainLoss(), last.trainAccuracy(), last.testLoss(), last.testAccuracy(), seconds, last.imagesPerSecond());
                    Map<String, String> meta = new LinkedHashMap<>();
                    meta.put("epoch", String.valueOf(epoch));
                    meta.put("trainSeconds", String.valueOf(totalSeconds));
                    meta.put("config", config.toString());
                    meta.put("schedule", scheduleRecord);
                    SafetensorsFormat.write(StateDictLoader.export(net, meta), checkpoint);
                    writeHistory(history);
                    writeBundle(config, net, last, totalSeconds, scheduleRecord);
                }
                return last;
            }
        }
    }

    /** One pass over the shuffled, augmented training set; returns {mean loss, accuracy}. */
    private double[] trainEpoch(Trainer trainer, int epoch) {
        int n = train.size();
        int[] order = shuffled(n);
        int batch = options.batchSize();
        int pixels = FashionMnist.SIDE * FashionMnist.SIDE;
        double lossSum = 0;
        long correct = 0;
        long seen = 0;
        int steps = (n + batch - 1) / batch;
        try (ProgressBar progress = new ProgressBarBuilder().setTaskName("epoch " + epoch + "/" + options.epochs())
                .setInitialMax(n).setUnit(" img", 1).showSpeed().setStyle(ProgressBarStyle.ASCII)
                .setUpdateIntervalMillis(1000).setMaxRenderedLength(120).build()) {
            for (int s = 0; s < steps; s++) {
                int from = s * batch;
                int size = Math.min(batch, n - from);
                float[] x = new float[size * pixels];
                float[] y = new float[size];
                for (int i = 0; i < size; i++) {
                    int idx = order[from + i];
                    Augment.cropAndFlip(train.images(), idx, x, i * pixels, random);
                    y[i] = train.labels()[idx];
                }
                try (NDManager step = trainer.getManager().newSubManager()) {
                    NDArray input = step.create(x, new Shape(size, 1, FashionMnist.SIDE, FashionMnist.SIDE));
                    NDArray labels = step.create(y);
                    try (GradientCollector collector = trainer.newGradientCollector()) {
                        NDArray logits = trainer.forward(new NDList(input)).singletonOrThrow();
                        NDArray loss = trainer.getLoss().evaluate(new NDList(labels), new NDList(logits));
                        collector.backward(loss);
                        lossSum += loss.getFloat() * size;
                        correct += logits.argMax(1).toType(ai.djl.ndarray.types.DataType.FLOAT32, false).eq(labels).sum().getLong();
                    }
                    trainer.step();
                }
                seen += size;
                progress.stepBy(size);
                progress.setExtraMessage(String.format(Locale.ROOT, " loss %.4f acc %.4f", lossSum / seen, (double) correct / seen));
            }
        }
        return new double[] {lossSum / n, (double) correct / n};
    }

    /** Test-set loss and accuracy, BatchNorm in inference mode. */
    private double[] evaluate(ai.djl.nn.Block block, NDManager manager) {
        ai.djl.training.ParameterStore store = new ai.djl.training.ParameterStore(manager, false);
        int n = test.size();
        int batch = 250;
        int pixels = FashionMnist.SIDE * FashionMnist.SIDE;
        double lossSum = 0;
        long correct = 0;
        for (int from = 0; from < n; from += batch) {
            int size = Math.min(batch, n - from);
            float[] x = new float[size * pixels];
            float[] y = new float[size];
            for (int i = 0; i < size; i++) {
                Augment.normalise(test.images(), from + i, x, i * pixels);
                y[i] = test.labels()[from + i];
            }
            try (NDManager step = manager.newSubManager()) {
                NDArray logits = block.forward(store, new NDList(step.create(x, new Shape(size, 1, 28, 28))), false).singletonOrThrow();
                NDArray labels = step.create(y);
                lossSum += Loss.softmaxCrossEntropyLoss().evaluate(new NDList(labels), new NDList(logits)).getFloat() * size;
                correct += logits.argMax(1).toType(ai.djl.ndarray.types.DataType.FLOAT32, false).eq(labels).sum().getLong();
            }
        }
        return new double[] {lossSum / n, (double) correct / n};
    }

    private int[] shuffled(int n) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }

    /**
     * What this run's epochs used, kept in the checkpoint and the bundle's provenance: a resumed run
     * restarts momentum and continues a cosine curve of its own length, so a shipped model states
     * every segment it was trained under rather than one schedule it never had.
     */
    private String scheduleSegment(int firstEpoch) {
        return String.format(Locale.ROOT, "epochs %d-%d: cosine over %d epochs from epoch %d's point on it, peak lr %.3f%s",
                firstEpoch, options.epochs(), options.epochs(), firstEpoch, options.learningRate(),
                firstEpoch > 1 ? " (resumed, momentum reset), seed " + options.seed() : ", seed " + options.seed());
    }

    private void writeBundle(DenseNetConfig config, DenseNet net, EpochMetrics last, double seconds, String scheduleRecord)
            throws IOException {
        Map<String, Object> provenance = new LinkedHashMap<>();
        provenance.put("dataset", "Fashion-MNIST (Debian dataset-fashion-mnist): 60,000 train / 10,000 test, 28x28 grayscale");
        provenance.put("training", String.format(Locale.ROOT,
                "DenseServe FashionMnistTrainer: epoch %d, batch %d, SGD Nesterov 0.9 with warm-up + cosine learning rate "
                        + "(see schedule), weight decay %.0e, random crop (pad 2) + horizontal flip", last.epoch(),
                options.batchSize(), options.weightDecay()));
        provenance.put("schedule", scheduleRecord);
        provenance.put("epochs", last.epoch());
        provenance.put("wallTimeSeconds", Math.round(seconds));
        provenance.put("hardware", Hardware.describe());
        provenance.put("testAccuracyInProcess", Math.round(last.testAccuracy() * 10000) / 10000.0);
        BundleManifest manifest = new BundleManifest(BundleManifest.SCHEMA_VERSION, "fashion-mnist-densenet-bc",
                "epoch-" + last.epoch(), config, "weights.safetensors",
                new Preprocessing(28, 28, Preprocessing.ColorMode.GRAYSCALE, List.of(FashionMnist.MEAN), List.of(FashionMnist.STD)),
                FashionMnist.CLASSES, provenance);
        ModelBundle.write(options.out().resolve("bundle"), manifest, net);
    }

    private List<EpochMetrics> readHistory() throws IOException {
        Path csv = options.out().resolve("metrics.csv");
        List<EpochMetrics> history = new ArrayList<>();
        if (Files.exists(csv)) {
            for (String line : Files.readAllLines(csv)) {
                if (!line.startsWith("epoch")) {
                    history.add(EpochMetrics.parse(line));
                }
            }
        }
        return history;
    }

    private void writeHistory(List<EpochMetrics> history) throws IOException {
        List<String> lines = new ArrayList<>();
        lines.add(EpochMetrics.HEADER);
        history.forEach(m -> lines.add(m.toCsv()));
        Files.write(options.out().resolve("metrics.csv"), lines, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING);
        TrainingCharts.curves(options.out().resolve("training-curves.png"), history);
    }
}
