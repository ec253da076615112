package io.denseserve.torchscript;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import io.denseserve.fold.FoldedDenseNet;
import io.denseserve.model.DenseNetConfig;
import io.denseserve.model.Stem;
import io.denseserve.plan.ForwardPass;
import io.denseserve.plan.InferenceEngine;
import io.denseserve.plan.InferencePlan;
import io.denseserve.plan.PlanCompiler;
import io.denseserve.plan.Precision;
import io.denseserve.testing.Prerequisites;
import io.denseserve.testing.SeededWeights;
import io.denseserve.torchscript.TorchScriptArchive.StorageType;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The libtorch plan's source is {@code src/main/python/densenet_plan.py}, readable Python: the
 * TorchScript the service embeds is that module compiled by Debian's torch, and Debian's torch,
 * running an archive the service wrote both as loaded and through the readable module in plain
 * Python, computes the service's logits within 1e-4.
 */
class TorchScriptPlanTest {

    private static final Path PYTHON = Path.of("/usr/bin/python3");
    private static final Path SOURCE = Path.of("src/main/python/densenet_plan.py");
    private static final Path COMPILED = Path.of("src/main/resources/io/denseserve/torchscript/densenet_plan_compiled.py");

    @TempDir
    Path tmp;

    @Test
    void theEmbeddedTorchScriptIsTheReadableModuleCompiled() throws Exception {
        Path compiled = tmp.resolve("compiled.py");
        python(SOURCE.toString(), compiled.toString());
        assertThat(Files.readString(COMPILED))
                .as("%s is out of date: run /usr/bin/python3 %s %s", COMPILED, SOURCE, COMPILED)
                .isEqualTo(Files.readString(compiled));
    }

    @Test
    void debiansTorchComputesTheServicesLogitsFromItsArchive() throws Exception {
        // An ImageNet stem and three blocks with transitions, small enough for a quick pass.
        DenseNetConfig config = new DenseNetConfig(8, List.of(2, 3, 2), 16, 4, 0f, 0.5f, Stem.IMAGENET, 3, 5);
        FoldedDenseNet network = FoldedDenseNet.of(config, SeededWeights.of(config, 3, 0.3));
        int n = 2;
        int side = 64;
        float[][] images = new float[n][3 * side * side];
        Random random = new Random(7);
        for (float[] image : images) {
            for (int i = 0; i < image.length; i++) {
                image[i] = (float) random.nextGaussian();
            }
        }
        Path archive = Files.write(tmp.resolve("plan.pt"), DenseNetModule.write(network, StorageType.FLOAT));
        Path input = tmp.resolve("images.f32");
        write(input, images);
        Path loaded = tmp.resolve("loaded.f32");
        Path eager = tmp.resolve("eager.f32");
        python("src/test/python/torchscript_plan_check.py", archive.toString(), input.toString(), String.valueOf(n), "3",
                String.valueOf(side), String.valueOf(side), loaded.toString(), eager.toString());
        float[][] service;
        try (InferencePlan plan = PlanCompiler.compile(network, InferenceEngine.PYTORCH, Device.cpu(), Precision.FP32,
                new int[] {3, side, side}, 2); ForwardPass pass = plan.open()) {
            service = pass.logits(images);
        }
        assertThat(SeededWeights.maxAbsDiff(service, read(loaded))).as("libtorch in the service against Debian's torch on the archive")
                .isLessThanOrEqualTo(1e-4);
        assertThat(SeededWeights.maxAbsDiff(service, read(eager))).as("against the readable module run as Python")
                .isLessThanOrEqualTo(1e-4);
    }

    private static void python(String... arguments) throws IOException, InterruptedException {
        boolean torch = Files.isExecutable(PYTHON) && new ProcessBuilder(PYTHON.toString(), "-c", "import torch, numpy")
                .start().waitFor() == 0;
        Prerequisites.require(torch, "the libtorch plan against Debian's torch (install python3-torch)");
        List<String> command = new ArrayList<>(List.of(PYTHON.toString()));
        command.addAll(List.of(arguments));
        Process process = new ProcessBuilder(command).inheritIO().start();
        assertThat(process.waitFor(5, TimeUnit.MINUTES)).as("python finished").isTrue();
        assertThat(process.exitValue()).as("python's exit status").isZero();
    }

    private static void write(Path file, float[][] rows) throws IOException {
        ByteBuffer bytes = ByteBuffer.allocate(rows.length * rows[0].length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (float[] row : rows) {
            bytes.asFloatBuffer().put(row);
            bytes.position(bytes.position() + row.length * Float.BYTES);
        }
        Files.write(file, bytes.array());
    }

    private static float[] read(Path file) throws IOException {
        ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        float[] values = new float[bytes.remaining() / Float.BYTES];
        bytes.asFloatBuffer().get(values);
        return values;
    }
}
