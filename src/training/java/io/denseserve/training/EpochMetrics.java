package io.denseserve.training;

import java.util.Locale;

/** One row of {@code metrics.csv}. */
record EpochMetrics(int epoch, double learningRate, double trainLoss, double trainAccuracy, double testLoss,
        double testAccuracy, double seconds, double imagesPerSecond) {

    static final String HEADER = "epoch,learning_rate,train_loss,train_accuracy,test_loss,test_accuracy,seconds,images_per_second";

    String toCsv() {
        return String.format(Locale.ROOT, "%d,%.6f,%.5f,%.5f,%.5f,%.5f,%.1f,%.1f", epoch, learningRate, trainLoss,
                trainAccuracy, testLoss, testAccuracy, seconds, imagesPerSecond);
    }

    static EpochMetrics parse(String line) {
        String[] f = line.split(",");
        return new EpochMetrics(Integer.parseInt(f[0]), Double.parseDouble(f[1]), Double.parseDouble(f[2]),
                Double.parseDouble(f[3]), Double.parseDouble(f[4]), Double.parseDouble(f[5]), Double.parseDouble(f[6]),
                Double.parseDouble(f[7]));
    }
}
