package io.denseserve.preprocess;

import static org.assertj.core.api.Assertions.assertThat;

import io.denseserve.bundle.Preprocessing;
import io.denseserve.testing.TorchvisionFixtures;
import io.denseserve.weights.HostTensor;
import io.denseserve.weights.SafetensorsFormat;
import io.denseserve.weights.StateDict;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Our decoding and preprocessing of real photos (Debian's python3-skimage data) against PIL +
 * torchvision transforms: mean absolute difference at most 1.0 in 0-255 pixel units, for the
 * ImageNet RGB pipeline and a grayscale one.
 */
class PreprocessingParityTest {

    static final double MAX_MEAN_ABS_DIFF_PIXELS = 1.0;

    @ParameterizedTest
    @ValueSource(strings = {"astronaut.png", "chelsea.png", "coffee.png", "rocket.jpg", "camera.png",
        "hubble_deep_field.jpg", "green_palette.png", "motorcycle_left.png", "page.png", "logo.png"})
    void matchesTorchvisionOnPil(String image) throws Exception {
        Path dir = TorchvisionFixtures.preprocessing();
        StateDict reference = SafetensorsFormat.read(dir.resolve(image + ".safetensors"));
        Path source = Path.of(reference.metadata().get("source"));
        DecodedImage decoded = new ImageDecoder(50_000_000, 100_000_000).decode(Files.readAllBytes(source));

        Preprocessing rgb = Preprocessing.imagenet();
        Preprocessing gray = new Preprocessing(28, 28, Preprocessing.ColorMode.GRAYSCALE, List.of(0.5), List.of(0.25));
        for (Preprocessing spec : List.of(rgb, gray)) {
            HostTensor expected = reference.get(spec == rgb ? "rgb" : "gray");
            float[] actual = new ImagePreprocessor(spec).apply(decoded);
            assertThat(actual).hasSize(expected.values().length);
            double diff = meanAbsDiffInPixels(actual, expected.values(), spec);
            System.out.printf("preprocessing parity %-22s %-9s mean |java - torchvision| = %.4f pixel units%n",
                    image, spec.colorMode(), diff);
            assertThat(diff).as("%s %s", image, spec.colorMode()).isLessThanOrEqualTo(MAX_MEAN_ABS_DIFF_PIXELS);
        }
    }

    /** Undo Normalize per channel, then compare on the 0-255 scale. */
    static double meanAbsDiffInPixels(float[] actual, float[] expected, Preprocessing spec) {
        int perChannel = actual.length / spec.colorMode().channels();
        double sum = 0;
        for (int i = 0; i < actual.length; i++) {
            double std = spec.std().get(i / perChannel);
            sum += Math.abs(actual[i] - expected[i]) * std * 255;
        }
        return sum / actual.length;
    }
}
