package io.denseserve.weights;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.denseserve.model.DenseNet;
import io.denseserve.model.DenseNetConfig;
import io.denseserve.testing.TorchvisionFixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Truncated, corrupt and mismatched weights files fail with a {@link WeightsFormatException} whose
 * message names the problem. Files are made here from a small model's own export, plus the
 * torchvision fixtures for the .pth layouts where python3-torchvision is installed.
 */
class BrokenWeightsTest {

    @TempDir
    Path tmp;

    private NDManager manager;
    private DenseNet net;

    @BeforeEach
    void smallModel() {
        manager = NDManager.newBaseManager();
        net = DenseNet.of(DenseNetConfig.bc(10, 4, 1, 3));
        net.initialize(manager, DataType.FLOAT32, new Shape(1, 1, 16, 16));
    }

    @AfterEach
    void close() {
        manager.close();
    }

    private Path exported() throws IOException {
        Path file = tmp.resolve("model.safetensors");
        SafetensorsFormat.write(StateDictLoader.export(net, Map.of("note", "test")), file);
        return file;
    }

    @Test
    void safetensorsRoundTripsEveryTensorAndMetadata() throws IOException {
        StateDict original = StateDictLoader.export(net, Map.of("note", "test"));
        StateDict read = WeightsFiles.read(exported());
        assertThat(read.tensors()).isEqualTo(original.tensors());
        assertThat(read.metadata()).containsEntry("note", "test");
        StateDictLoader.load(net, read);
    }

    @ParameterizedTest
    @ValueSource(ints = {4, 8, 100, 2000})
    void truncatedSafetensorsNamesTruncation(int keptBytes) throws IOException {
        Path file = exported();
        Path cut = tmp.resolve("cut.safetensors");
        Files.write(cut, Arrays.copyOf(Files.readAllBytes(file), keptBytes));
        assertThatThrownBy(() -> StateDictLoader.load(net, WeightsFiles.read(cut)))
                .isInstanceOf(WeightsFormatException.class)
                .message().containsAnyOf("truncated", "not safetensors");
    }

    @Test
    void corruptSafetensorsHeaderIsNamed() throws IOException {
        byte[] bytes = Files.readAllBytes(exported());
        bytes[9] = 'x'; // {x"features...: no longer JSON
        Path bad = tmp.resolve("bad.safetensors");
        Files.write(bad, bytes);
        assertThatThrownBy(() -> WeightsFiles.read(bad))
                .isInstanceOf(WeightsFormatException.class)
                .hasMessageContaining("corrupt JSON header");
    }

    @Test
    void unknownFormatIsNamed() throws IOException {
        Path text = tmp.resolve("weights.bin");
        Files.writeString(text, "this is not a weights file at all");
        assertThatThrownBy(() -> WeightsFiles.read(text))
                .isInstanceOf(WeightsFormatException.class)
                .hasMessageContaining("is not safetensors, npz or a torch.save .pth file");
        assertThatThrownBy(() -> WeightsFiles.read(tmp.resolve("absent.pth")))
                .isInstanceOf(WeightsFormatException.class)
                .hasMessageContaining("does not exist");
    }

    @Test
    void missingKeyIsNamedWithItsShape() throws IOException {
        Map<String, HostTensor> tensors = new LinkedHashMap<>(StateDictLoader.export(net, Map.of()).tensors());
        tensors.remove("features.norm5.running_var");
        assertThatThrownBy(() -> StateDictLoader.load(net, new StateDict(tensors)))
                .isInstanceOf(WeightsFormatException.class)
                .hasMessageContaining("missing key 'features.norm5.running_var' (model expects shape [");
    }

    @Test
    void unexpectedKeyAndShapeMismatchAreNamedWithBothShapes() {
        Map<String, HostTensor> tensors = new LinkedHashMap<>(StateDictLoader.export(net, Map.of()).tensors());
        tensors.put("features.extra.weight", new HostTensor(new long[] {2}, new float[2], "F32"));
        tensors.put("classifier.weight", new HostTensor(new long[] {5, 2}, new float[10], "F32"));
        assertThatThrownBy(() -> StateDictLoader.load(net, new StateDict(tensors)))
                .isInstanceOf(WeightsFormatException.class)
                .hasMessageContaining("unexpected key 'features.extra.weight' with shape [2]")
                .hasMessageContaining("shape mismatch for 'classifier.weight': file has [5, 2], model expects [3, ");
    }

    @ParameterizedTest
    @ValueSource(strings = {"weights.pth", "weights-legacy.pth", "weights.npz"})
    void truncatedTorchvisionFilesAreNamed(String format) throws IOException {
        Path source = TorchvisionFixtures.models().resolve("bc-d16-k8-gray").resolve(format);
        byte[] bytes = Files.readAllBytes(source);
        for (int keep : new int[] {1, 2, 40, bytes.length / 2, bytes.length - 7}) {
            Path cut = tmp.resolve("cut-" + keep + "-" + format);
            Files.write(cut, Arrays.copyOf(bytes, keep));
            assertThatThrownBy(() -> WeightsFiles.read(cut))
                    .as("%s cut to %d bytes", format, keep)
                    .isInstanceOf(WeightsFormatException.class)
                    .message().isNotBlank();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"weights.pth", "weights-legacy.pth", "weights.npz", "weights.safetensors"})
    void corruptedTorchvisionFilesFailCleanly(String format) throws IOException {
        Path source = TorchvisionFixtures.models().resolve("bc-d16-k8-gray").resolve(format);
        byte[] original = Files.readAllBytes(source);
        java.util.Random random = new java.util.Random(42);
        for (int trial = 0; trial < 40; trial++) {
            byte[] bytes = original.clone();
            // Flip bytes in the first 4 KiB, where headers, zip directories' neighbours and pickles live.
            for (int k = 0; k < 8; k++) {
                bytes[random.nextInt(Math.min(bytes.length, 4096))] ^= (byte) (1 + random.nextInt(255));
            }
            Path bad = tmp.resolve("bad-" + trial + "-" + format);
            Files.write(bad, bytes);
            try {
                StateDictLoader.load(net, WeightsFiles.read(bad));
            } catch (WeightsFormatException expected) {
                assertThat(expected.getMessage()).isNotBlank();
            }
        }
    }

    @Test
    void wrongArchitectureFromTorchvisionFileIsAMismatch() {
        Path file = TorchvisionFixtures.models().resolve("bc-d16-k8-gray").resolve("weights.pth");
        assertThatThrownBy(() -> StateDictLoader.load(net, WeightsFiles.read(file)))
                .isInstanceOf(WeightsFormatException.class)
                .hasMessageContaining("weights do not match the model")
                .hasMessageContaining("shape mismatch for 'features.conv0.weight': file has [16, 1, 3, 3], model expects [8, 1, 3, 3]");
    }
}
