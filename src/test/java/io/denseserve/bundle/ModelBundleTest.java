package io.denseserve.bundle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.NormalInitializer;
import io.denseserve.model.DenseNet;
import io.denseserve.model.DenseNetConfig;
import io.denseserve.testing.TorchvisionFixtures;
import io.denseserve.weights.WeightsFormatException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelBundleTest {

    @TempDir
    Path tmp;

    static BundleManifest tinyManifest() {
        return new BundleManifest(1, "tiny", "1", DenseNetConfig.bc(10, 4, 1, 3), "weights.safetensors",
                new Preprocessing(16, 16, Preprocessing.ColorMode.GRAYSCALE, List.of(0.5), List.of(0.25)),
                List.of("a", "b", "c"), Map.of("dataset", "none: random weights"));
    }

    @Test
    void writtenBundleReopensAsDirectoryAndZipWithIdenticalOutputs() throws IOException {
        try (NDManager manager = NDManager.newBaseManager()) {
            DenseNet net = DenseNet.of(tinyManifest().architecture());
            net.setInitializer(new NormalInitializer(0.1f), ai.djl.nn.Parameter.Type.WEIGHT);
            net.initialize(manager, DataType.FLOAT32, new Shape(1, 1, 16, 16));
            Path dir = tmp.resolve("bundle");
            ModelBundle.write(dir, tinyManifest(), net);
            Path zip = zip(dir);
            NDArray x = manager.randomUniform(0, 1, new Shape(2, 1, 16, 16));
            float[] expected = logits(net, manager, x);
            for (Path location : List.of(dir, zip)) {
                ModelBundle bundle = ModelBundle.open(location);
                assertThat(bundle.manifest()).isEqualTo(tinyManifest());
                assertThat(logits(bundle.newNetwork(manager), manager, x)).containsExactly(expected);
            }
        }
    }

    @Test
    void invalidManifestsAreNamed() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("bad"));
        assertThatThrownBy(() -> ModelBundle.open(dir)).isInstanceOf(WeightsFormatException.class)
                .hasMessageContaining("has no manifest.json");
        Files.writeString(dir.resolve("manifest.json"), "{\"schemaVersion\": 1, \"name\": \"x\"}");
        assertThatThrownBy(() -> ModelBundle.open(dir)).isInstanceOf(WeightsFormatException.class)
                .hasMessageContaining("invalid manifest.json");
        Files.writeString(dir.resolve("manifest.json"), "not json");
        assertThatThrownBy(() -> ModelBundle.open(dir)).isInstanceOf(WeightsFormatException.class)
                .hasMessageContaining("invalid manifest.json");
        assertThatThrownBy(() -> ModelBundle.open(tmp.resolve("absent.zip"))).isInstanceOf(WeightsFormatException.class)
                .hasMessageContaining("does not exist");
    }

    @Test
    void torchvisionBundleNeedsOnlyAVariantNameAndACheckpoint() throws IOException {
        Path pth = TorchvisionFixtures.models().resolve("densenet121/weights-legacy-names.pth");
        ModelBundle bundle = ModelBundle.torchvision("densenet121", pth);
        assertThat(bundle.manifest().labels()).hasSize(1000).startsWith("tench", "goldfish").endsWith("toilet tissue");
        assertThat(bundle.manifest().preprocessing()).isEqualTo(Preprocessing.imagenet());
        try (NDManager manager = NDManager.newBaseManager()) {
            DenseNet net = bundle.newNetwork(manager);
            assertThat(logits(net, manager, manager.ones(new Shape(1, 3, 64, 64)))).hasSize(1000);
        }
    }

    static float[] logits(DenseNet net, NDManager manager, NDArray x) {
        return net.forward(new ParameterStore(manager, false), new NDList(x), false).singletonOrThrow().toFloatArray();
    }

    private Path zip(Path dir) throws IOException {
        Path zip = tmp.resolve("bundle.zip");
        try (OutputStream out = Files.newOutputStream(zip); ZipOutputStream z = new ZipOutputStream(out)) {
            for (String name : List.of("manifest.json", "weights.safetensors")) {
                z.putNextEntry(new ZipEntry(name));
                z.write(Files.readAllBytes(dir.resolve(name)));
                z.closeEntry();
            }
        }
        return zip;
    }
}
