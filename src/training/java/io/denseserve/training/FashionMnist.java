package io.denseserve.training;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * Fashion-MNIST from the idx files of Debian's {@code dataset-fashion-mnist} package: 60,000
 * training and 10,000 test images, 28x28 grayscale, 10 classes.
 *
 * @param images {@code n * 28 * 28} pixel bytes
 * @param labels {@code n} class indices
 */
public record FashionMnist(byte[] images, byte[] labels) {

    /** Where Debian's {@code dataset-fashion-mnist} installs the idx files. */
    public static final Path DEBIAN_DIR = Path.of("/usr/share/datasets/fashion-mnist");
    /** Environment variable naming another directory holding the four idx files. */
    public static final String DATA_DIR_VARIABLE = "FASHION_MNIST_DIR";
    public static final int SIDE = 28;
    public static final List<String> CLASSES = List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
            "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");
    /** Pixel mean and standard deviation of the training set, on the [0, 1] scale. */
    public static final double MEAN = 0.2860;
    public static final double STD = 0.3530;

    /** The data directory: {@value #DATA_DIR_VARIABLE} where set, else {@link #DEBIAN_DIR}. */
    public static Path dataDir() {
        String dir = System.getenv(DATA_DIR_VARIABLE);
        return dir == null || dir.isBlank() ? DEBIAN_DIR : Path.of(dir);
    }

    public int size() {
        return labels.length;
    }

    public static FashionMnist train(Path dir) throws IOException {
        return read(dir.resolve("train-images-idx3-ubyte.gz"), dir.resolve("train-labels-idx1-ubyte.gz"));
    }

    public static FashionMnist test(Path dir) throws IOException {
        return read(dir.resolve("t10k-images-idx3-ubyte.gz"), dir.resolve("t10k-labels-idx1-ubyte.gz"));
    }

    /** The first {@code n} examples (for smoke tests). */
    public FashionMnist head(int n) {
        int m = Math.min(n, size());
        return new FashionMnist(java.util.Arrays.copyOf(images, m * SIDE * SIDE), java.util.Arrays.copyOf(labels, m));
    }

    static FashionMnist read(Path imageFile, Path labelFile) throws IOException {
        byte[] images = idx(imageFile, 0x00000803);
        byte[] labels = idx(labelFile, 0x00000801);
        if (images.length != labels.length * SIDE * SIDE) {
            throw new IOException(imageFile + " and " + labelFile + " disagree on the number of examples");
        }
        return new FashionMnist(images, labels);
    }

    /** Reads an idx file: magic, dimension sizes (big-endian ints), then unsigned bytes. */
    private static byte[] idx(Path file, int magic) throws IOException {
        if (!Files.exists(file)) {
            throw new IOException(file + " not found: install Debian's dataset-fashion-mnist package");
        }
        try (InputStream raw = Files.newInputStream(file);
                DataInputStream in = new DataInputStream(new GZIPInputStream(raw))) {
            int found = in.readInt();
            if (found != magic) {
                throw new IOException(file + " is not an idx file of the expected kind (magic " + Integer.toHexString(found) + ")");
            }
            int dims = magic & 0xff;
            long count = 1;
            for (int i = 0; i < dims; i++) {
                count *= in.readInt();
            }
            byte[] data = new byte[(int) count];
            in.readFully(data);
            return data;
        }
    }
}
