package io.denseserve.testing;

import io.denseserve.model.DenseNetConfig;
import io.denseserve.model.DenseNetVariant;
import io.denseserve.plan.InferenceEngine;
import io.denseserve.weights.HostTensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;

/**
 * Reference outputs of torchvision, generated on first use by the scripts in
 * {@code src/test/python} with Debian's {@code python3-torchvision} (and {@code python3-skimage}).
 *
 * <p>Where torchvision is not installed the tests that need it are skipped with a loud message,
 * unless {@code DENSESERVE_REQUIRE_REFERENCE_DATA=true} (set by {@code .ci/run}), which turns the
 * skip into a failure so CI cannot pass without running them.
 */
public final class TorchvisionFixtures {

    private static final Path PYTHON = Path.of("/usr/bin/python3");
    private static final TorchvisionFixtures MODELS = new TorchvisionFixtures(
            Path.of("src/test/python/torchvision_fixtures.py"), Path.of("target/torchvision-fixtures"));
    private static final TorchvisionFixtures PREPROCESSING = new TorchvisionFixtures(
            Path.of("src/test/python/preprocess_reference.py"), Path.of("target/preprocess-reference"));

    private final Path script;
    private final Path dir;
    private String unavailable;

    private TorchvisionFixtures(Path script, Path dir) {
        this.script = script;
        this.dir = dir;
    }

    /** The models {@link #models()} holds, as directory names. */
    public static final List<String> MODEL_NAMES =
            List.of("densenet121", "densenet161", "densenet169", "densenet201", "bc-d16-k8-gray");

    /** Every model of {@link #MODEL_NAMES} with every engine, for parameterized conformance tests. */
    public static Stream<Arguments> modelsAndEngines() {
        List<Arguments> cases = new ArrayList<>();
        for (String model : MODEL_NAMES) {
            for (InferenceEngine engine : InferenceEngine.values()) {
                cases.add(Arguments.of(model, engine));
            }
        }
        return cases.stream();
    }

    /** A fixture batch {@code (N, C, H, W)} as the rows a forward pass takes, one per image. */
    public static float[][] images(HostTensor batch) {
        int n = (int) batch.shape()[0];
        int size = batch.values().length / n;
        float[][] images = new float[n][size];
        for (int i = 0; i < n; i++) {
            System.arraycopy(batch.values(), i * size, images[i], 0, size);
        }
        return images;
    }

    /** The architecture of one of {@link #MODEL_NAMES}. */
    public static DenseNetConfig config(String model) {
        return model.startsWith("bc-") ? DenseNetConfig.bc(16, 8, 1, 10) : DenseNetVariant.of(model).config();
    }

    /** Models with randomised weights in every format, and torchvision's outputs for fixed inputs. */
    public static Path models() {
        return MODELS.dir();
    }

    /** PIL + torchvision preprocessing of skimage's photos (needs python3-skimage too). */
    public static Path preprocessing() {
        return PREPROCESSING.dir();
    }

    /** The fixture directory, generating it if needed; skips (or fails under CI) without torchvision. */
    private synchronized Path dir() {
        if (unavailable == null && !upToDate()) {
            unavailable = generate();
        }
        Prerequisites.require(unavailable == null || unavailable.isEmpty(), "torchvision conformance: " + unavailable
                + " (install Debian's python3-torchvision to run it)");
        unavailable = "";
        return dir;
    }

    private boolean upToDate() {
        try {
            Path marker = dir.resolve("COMPLETE");
            return Files.exists(marker)
                    && Files.getLastModifiedTime(marker).compareTo(Files.getLastModifiedTime(script)) > 0;
        } catch (IOException e) {
            return false;
        }
    }

    /** Runs the generator; returns why it could not, or null on success. */
    private String generate() {
        if (!Files.isExecutable(PYTHON)) {
            return PYTHON + " not found";
        }
        try {
            Process check = new ProcessBuilder(PYTHON.toString(), "-c", "import torchvision, skimage")
                    .redirectErrorStream(true).start();
            if (!check.waitFor(120, TimeUnit.SECONDS) || check.exitValue() != 0) {
                return "python3-torchvision or python3-skimage is not importable by " + PYTHON;
            }
            Files.createDirectories(dir);
            Process gen = new ProcessBuilder(PYTHON.toString(), script.toString(), dir.toString()).inheritIO().start();
            if (!gen.waitFor(15, TimeUnit.MINUTES) || gen.exitValue() != 0) {
                throw new IllegalStateException("fixture generator failed: " + script);
            }
            return null;
        } catch (IOException e) {
            return "cannot run " + PYTHON + ": " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
