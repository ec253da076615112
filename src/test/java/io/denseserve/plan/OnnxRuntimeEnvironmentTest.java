package io.denseserve.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.Device;
import io.denseserve.fold.FoldedDenseNet;
import io.denseserve.model.DenseNetConfig;
import io.denseserve.testing.SeededWeights;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A pass across all the CPUs whose threads block runs on the process's shared ONNX Runtime pool:
 * opening it starts no thread, so a loaded model without traffic holds none there. The threads a
 * pass starts are counted by their Linux name, which a new native thread takes from the thread that
 * creates it: each pass is opened on a thread named for the count alone.
 */
class OnnxRuntimeEnvironmentTest {

    private static final int CPUS = Runtime.getRuntime().availableProcessors();
    private static final AtomicInteger PROBES = new AtomicInteger();

    @BeforeAll
    static void createTheEnvironment() {
        OnnxRuntimeEnvironment.environment(); // its shared pool's threads start here, not on a probe
    }

    @AfterEach
    void clearSpin() {
        System.clearProperty(OnnxRuntimePlan.SPIN_PROPERTY);
    }

    @Test
    void aPassAcrossAllTheCpusStartsNoThread() throws Exception {
        assumeTrue(CPUS >= 2, "the shared pool is for 2 CPUs or more; this machine has " + CPUS);
        assertThat(threadsStartedOpening(CPUS)).as("threads a pass across all %d CPUs started", CPUS).isZero();
    }

    @Test
    void aPassThatSpinsStartsAPoolOfItsOwn() throws Exception { // the count above can see a pool
        assumeTrue(CPUS >= 2, "a pool of its own needs 2 CPUs or more; this machine has " + CPUS);
        System.setProperty(OnnxRuntimePlan.SPIN_PROPERTY, "all");
        assertThat(threadsStartedOpening(CPUS)).as("threads of a spinning pass's own pool").isEqualTo(CPUS - 1);
    }

    /** Opens a pass of {@code threads} on a probe thread, runs it once, and counts the threads named as the probe. */
    private static int threadsStartedOpening(int threads) throws Exception {
        DenseNetConfig config = DenseNetConfig.bc(16, 8, 3, 7);
        AtomicReference<Object> outcome = new AtomicReference<>();
        String name = "ortprobe" + PROBES.incrementAndGet(); // at most 15 characters: Linux's limit
        Thread probe = new Thread(() -> {
            try (InferencePlan plan = PlanCompiler.compile(FoldedDenseNet.of(config, SeededWeights.of(config, 5, 0.3)),
                    InferenceEngine.ONNXRUNTIME, Device.cpu(), Precision.FP32, new int[] {3, 32, 32}, threads);
                    ForwardPass pass = plan.openAlone(threads)) {
                pass.logits(new float[2][3 * 32 * 32]);
                outcome.set(namedThreads(name) - 1); // less the probe itself
            } catch (Exception | Error e) {
                outcome.set(e);
            }
        }, name);
        probe.start();
        probe.join();
        if (outcome.get() instanceof Throwable failure) {
            throw new AssertionError("opening or running the pass failed", failure);
        }
        return (Integer) outcome.get();
    }

    private static int namedThreads(String name) {
        try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
            return (int) tasks.filter(task -> {
                try {
                    return Files.readString(task.resolve("comm")).strip().equals(name);
                } catch (IOException e) {
                    return false; // the thread ended meanwhile
                }
            }).count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
