package io.denseserve.testing;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.initializer.NormalInitializer;
import io.denseserve.bundle.BundleManifest;
import io.denseserve.bundle.ModelBundle;
import io.denseserve.bundle.Preprocessing;
import io.denseserve.model.DenseNet;
import io.denseserve.model.DenseNetConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Small RGB model bundles with seeded random weights, for exercising the service's plumbing (API,
 * batching, errors) without a trained model. Their predictions mean nothing, and tests say so.
 */
public final class TestBundles {

    private TestBundles() {}

    /** A DenseNet-BC of the given depth and input size, 3 classes, written to a new temp directory. */
    public static Path rgb(int depth, int growthRate, int size) {
        try {
            return rgb(depth, growthRate, size, 42, Files.createTempDirectory("test-bundle"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** As {@link #rgb(int, int, int)}, with weights drawn from {@code seed}, written to {@code dir}. */
    public static Path rgb(int depth, int growthRate, int size, long seed, Path dir) {
        try {
            Files.createDirectories(dir);
            DenseNetConfig config = DenseNetConfig.bc(depth, growthRate, 3, 3);
            BundleManifest manifest = new BundleManifest(1, "test-bc" + depth, "0", config, "weights.safetensors",
                    new Preprocessing(size, size, Preprocessing.ColorMode.RGB, List.of(0.5, 0.5, 0.5), List.of(0.25, 0.25, 0.25)),
                    List.of("red", "green", "blue"), Map.of("dataset", "none: seeded random weights for tests"));
            try (NDManager manager = NDManager.newBaseManager()) {
                manager.getEngine().setRandomSeed((int) seed);
                DenseNet net = DenseNet.of(config);
                net.setInitializer(new NormalInitializer(0.05f), Parameter.Type.WEIGHT);
                net.initialize(manager, DataType.FLOAT32, new Shape(1, 3, size, size));
                ModelBundle.write(dir, manifest, net);
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A real photo from Debian's python3-skimage, or null where it is not installed. */
    public static Path photo(String name) {
        Path p = Path.of("/usr/lib/python3/dist-packages/skimage/data", name);
        return Files.exists(p) ? p : null;
    }
}
