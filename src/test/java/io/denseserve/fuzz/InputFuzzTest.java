package io.denseserve.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.denseserve.bundle.Preprocessing;
import io.denseserve.failure.ImageRejectedException;
import io.denseserve.preprocess.DecodedImage;
import io.denseserve.preprocess.ImageDecoder;
import io.denseserve.preprocess.ImagePreprocessor;
import io.denseserve.weights.NpzFormat;
import io.denseserve.weights.SafetensorsFormat;
import io.denseserve.weights.TorchCheckpointFormat;
import io.denseserve.weights.WeightsFiles;
import io.denseserve.weights.WeightsFormatException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Fuzz targets for everything that parses bytes from outside: image decoding plus preprocessing
 * (request path), and each weights reader (model loading). The only acceptable failure is the
 * documented exception; anything else, a hang or an OutOfMemoryError is a finding. Under
 * {@code ./mvnw verify} each runs its committed seeds and regression inputs
 * ({@code src/test/resources/io/denseserve/fuzz/InputFuzzTestInputs/<target>/}); with
 * {@code JAZZER_FUZZ=1} it fuzzes for {@code maxDuration}.
 */
class InputFuzzTest {

    private static final ImageDecoder DECODER = new ImageDecoder(4 * 1024 * 1024, 4_000_000);
    private static final ImagePreprocessor RGB = new ImagePreprocessor(new Preprocessing(36, 32,
            Preprocessing.ColorMode.RGB, List.of(0.5, 0.5, 0.5), List.of(0.25, 0.25, 0.25)));

    @FuzzTest(maxDuration = "30s")
    void imageDecodingAndPreprocessing(byte[] data) {
        try {
            DecodedImage image = DECODER.decode(data);
            float[] tensor = RGB.apply(image);
            if (tensor.length != 3 * 32 * 32) {
                throw new IllegalStateException("wrong tensor size " + tensor.length);
            }
        } catch (ImageRejectedException expected) {
            // documented rejection
        }
    }

    @FuzzTest(maxDuration = "30s")
    void safetensors(byte[] data) throws IOException {
        readWith(data, SafetensorsFormat::read);
    }

    @FuzzTest(maxDuration = "30s")
    void npz(byte[] data) throws IOException {
        readWith(data, NpzFormat::read);
    }

    @FuzzTest(maxDuration = "30s")
    void torchCheckpoint(byte[] data) throws IOException {
        readWith(data, TorchCheckpointFormat::read);
    }

    @FuzzTest(maxDuration = "30s")
    void anyWeightsFile(byte[] data) throws IOException {
        readWith(data, WeightsFiles::read);
    }

    interface Reader {
        Object read(Path file) throws IOException;
    }

    private static void readWith(byte[] data, Reader reader) throws IOException {
        Path file = Files.createTempFile("fuzz", ".bin");
        try {
            Files.write(file, data);
            reader.read(file);
        } catch (WeightsFormatException expected) {
            // documented rejection
        } finally {
            Files.deleteIfExists(file);
        }
    }
}
