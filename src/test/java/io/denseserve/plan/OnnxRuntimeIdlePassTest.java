package io.denseserve.plan;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import io.denseserve.fold.FoldedDenseNet;
import io.denseserve.model.DenseNetConfig;
import io.denseserve.testing.SeededWeights;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * An idle ONNX Runtime pass lets go of its intra-op pool and answers the same on its next batch.
 * The pool's threads are counted by their Linux name, which a new native thread takes from the
 * thread that creates it: the pass is opened and run on a thread of its own name.
 */
class OnnxRuntimeIdlePassTest {

    private static final int THREADS = 3;

    @Test
    void anIdlePassHoldsNoPoolThreadAndAnswersTheSameAfter() throws Exception {
        DenseNetConfig config = DenseNetConfig.bc(16, 8, 3, 7);
        float[][] images = new float[2][3 * 32 * 32];
        Random random = new Random(3);
        for (float[] image : images) {
            for (int i = 0; i < image.length; i++) {
                image[i] = (float) random.nextGaussian();
            }
        }
        String name = "ortidle" + ProcessHandle.current().pid() % 10_000; // at most 15 characters: Linux's limit
        List<String> seen = new ArrayList<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread probe = new Thread(() -> {
            try (InferencePlan plan = PlanCompiler.compile(FoldedDenseNet.of(config, SeededWeights.of(config, 5, 0.3)),
                    InferenceEngine.ONNXRUNTIME, Device.cpu(), Precision.FP32, new int[] {3, 32, 32}, THREADS);
                    ForwardPass pass = plan.openAlone(THREADS)) {
                float[][] before = pass.logits(images);
                seen.add("running: " + poolThreads(name));
                pass.idle();
                seen.add("idle: " + poolThreads(name));
                float[][] after = pass.logits(images);
                seen.add("running again: " + poolThreads(name));
                assertThat(after).isDeepEqualTo(before);
                pass.idle();
                seen.add("idle again: " + poolThreads(name));
            } catch (Exception | Error e) {
                failure.set(e);
            }
        }, name);
        probe.start();
        probe.join();
        if (failure.get() != null) {
            throw new AssertionError("the pass failed", failure.get());
        }
        assertThat(seen).as("intra-op pool threads of a pass of %d", THREADS)
                .containsExactly("running: 2", "idle: 0", "running again: 2", "idle again: 0");
    }

    /** Threads named {@code name}, less the one that opened the pass. */
    private static int poolThreads(String name) {
        try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
            return (int) tasks.filter(task -> {
                try {
                    return Files.readString(task.resolve("comm")).strip().equals(name);
                } catch (IOException e) {
                    return false; // the thread ended meanwhile
                }
            }).count() - 1;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
