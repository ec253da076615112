package io.denseserve.training;

import java.nio.file.Path;

/**
 * Command-line options of the trainer.
 *
 * @param out where checkpoints, metrics, plots and the bundle go
 * @param data the directory holding the Fashion-MNIST idx files
 */
record TrainingOptions(Path out, Path data, int epochs, int batchSize, float learningRate, float weightDecay,
        int depth, int growthRate, int subset, long seed, boolean resume) {

    static TrainingOptions parse(String[] args) {
        Path out = Path.of("target/fashion-mnist");
        Path data = FashionMnist.dataDir();
        int epochs = 15;
        int batch = 64;
        float lr = 0.1f;
        float wd = 5e-4f;
        int depth = 40;
        int growth = 12;
        int subset = 0;
        long seed = 1;
        boolean resume = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--out" -> out = Path.of(args[++i]);
                case "--data" -> data = Path.of(args[++i]);
                case "--epochs" -> epochs = Integer.parseInt(args[++i]);
                case "--batch" -> batch = Integer.parseInt(args[++i]);
                case "--lr" -> lr = Float.parseFloat(args[++i]);
                case "--weight-decay" -> wd = Float.parseFloat(args[++i]);
                case "--depth" -> depth = Integer.parseInt(args[++i]);
                case "--growth" -> growth = Integer.parseInt(args[++i]);
                case "--subset" -> subset = Integer.parseInt(args[++i]);
                case "--seed" -> seed = Long.parseLong(args[++i]);
                case "--resume" -> resume = true;
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + "; known: --out --data --epochs --batch --lr --weight-decay --depth --growth --subset --seed --resume");
            }
        }
        return new TrainingOptions(out, data, epochs, batch, lr, wd, depth, growth, subset, seed, resume);
    }
}
