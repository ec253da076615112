package io.denseserve.weights;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The torchvision conformance fixtures, generated on first use by
 * {@code src/test/python/torchvision_fixtures.py} with Debian's {@code python3-torchvision}.
 *
 * <p>Where torchvision is not installed the tests that need it are skipped with a loud message,
 * unless {@code DENSESERVE_REQUIRE_TORCHVISION=true} (set by {@code .ci/run}), which turns the
 * skip into a failure so CI cannot pass without running them.
 */
public final class TorchvisionFixtures {

    private static final Path PYTHON = Path.of("/usr/bin/python3");
    private static final Path SCRIPT = Path.of("src/test/python/torchvision_fixtures.py");
    private static final Path DIR = Path.of("target/torchvision-fixtures");
    private static String unavailable;

    private TorchvisionFixtures() {}

    /** The fixture directory, generating it if needed; skips (or fails under CI) without torchvision. */
    public static synchronized Path dir() {
        if (unavailable == null && !upToDate()) {
            unavailable = generate();
        }
        if (unavailable != null && !unavailable.isEmpty()) {
            String message = "SKIPPED torchvision conformance: " + unavailable
                    + " (install Debian's python3-torchvision to run it)";
            System.err.println("*** " + message + " ***");
            if (Boolean.parseBoolean(System.getenv("DENSESERVE_REQUIRE_TORCHVISION"))) {
                throw new IllegalStateException(message);
            }
            assumeTrue(false, message);
        }
        unavailable = "";
        return DIR;
    }

    private static boolean upToDate() {
        try {
            Path marker = DIR.resolve("COMPLETE");
            return Files.exists(marker)
                    && Files.getLastModifiedTime(marker).compareTo(Files.getLastModifiedTime(SCRIPT)) > 0;
        } catch (IOException e) {
            return false;
        }
    }

    /** Runs the generator; returns why it could not, or null on success. */
    private static String generate() {
        if (!Files.isExecutable(PYTHON)) {
            return PYTHON + " not found";
        }
        try {
            Process check = new ProcessBuilder(PYTHON.toString(), "-c", "import torchvision").redirectErrorStream(true).start();
            if (!check.waitFor(120, TimeUnit.SECONDS) || check.exitValue() != 0) {
                return "python3-torchvision is not importable by " + PYTHON;
            }
            Files.createDirectories(DIR);
            Process gen = new ProcessBuilder(PYTHON.toString(), SCRIPT.toString(), DIR.toString()).inheritIO().start();
            if (!gen.waitFor(15, TimeUnit.MINUTES) || gen.exitValue() != 0) {
                throw new IllegalStateException("fixture generator failed: " + SCRIPT);
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
