package io.denseserve.bench;

import io.denseserve.bundle.Preprocessing;
import io.denseserve.preprocess.DecodedImage;
import io.denseserve.preprocess.ImageDecoder;
import io.denseserve.preprocess.ImagePreprocessor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * What a request thread spends on one image before it is queued, in process and single-threaded:
 * {@code PreprocessBench <image file> [rounds]} decodes the file as the service does and applies
 * ImageNet's preprocessing (resize 256, crop 224, normalise). Each round times 500 images; the
 * first two rounds warm the JIT and are left out. Prints one CSV line: file, median ms to decode,
 * median ms to preprocess.
 */
public final class PreprocessBench {

    private static final int IMAGES_PER_ROUND = 500;
    private static final int WARM_ROUNDS = 2;

    private PreprocessBench() {}

    public static void main(String[] args) throws Exception {
        byte[] file = Files.readAllBytes(Path.of(args[0]));
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        ImageDecoder decoder = new ImageDecoder(Long.MAX_VALUE, Long.MAX_VALUE);
        ImagePreprocessor preprocessor = new ImagePreprocessor(Preprocessing.imagenet());
        double[] decode = new double[rounds];
        double[] preprocess = new double[rounds];
        float checksum = 0;
        for (int round = 0; round < WARM_ROUNDS + rounds; round++) {
            long decoding = 0;
            long preprocessing = 0;
            for (int i = 0; i < IMAGES_PER_ROUND; i++) {
                long start = System.nanoTime();
                DecodedImage image = decoder.decode(file);
                long decoded = System.nanoTime();
                float[] input = preprocessor.apply(image);
                preprocessing += System.nanoTime() - decoded;
                decoding += decoded - start;
                checksum += input[i % input.length];
            }
            if (round >= WARM_ROUNDS) {
                decode[round - WARM_ROUNDS] = decoding / 1e6 / IMAGES_PER_ROUND;
                preprocess[round - WARM_ROUNDS] = preprocessing / 1e6 / IMAGES_PER_ROUND;
            }
        }
        System.err.println("checksum " + checksum); // keeps the work from being optimised away
        System.out.printf("RESULT,%s,%.3f,%.3f%n", Path.of(args[0]).getFileName(), median(decode), median(preprocess));
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
