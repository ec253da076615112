package io.denseserve.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import io.denseserve.config.DenseServeProperties.EngineChoice;
import io.denseserve.config.DenseServeProperties.PrecisionChoice;
import io.denseserve.config.DenseServeProperties;
import io.denseserve.inference.WorkerLayout;
import io.denseserve.plan.CpuFeatures;
import io.denseserve.plan.InferenceEngine;
import io.denseserve.plan.Precision;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * {@code denseserve.inference.engine} and {@code .precision}: auto picks by device and precision;
 * onnxruntime refuses a GPU and bf16; bf16 falls back to fp32 where it would be emulated. With
 * workers and threads unset, ONNX Runtime on 2 or more CPUs runs as lanes.
 */
class EngineSelectionTest {

    private static final CpuFeatures WITH_BF16 = new CpuFeatures(Set.of("avx2", "avx512f", "avx512_bf16"));
    private static final CpuFeatures WITHOUT_BF16 = new CpuFeatures(Set.of("avx2", "avx512f", "avx512_vnni"));

    @Test
    void autoRunsOnnxRuntimeOnCpuAndPytorchOnGpu() {
        assertThat(ModelService.engine(EngineChoice.AUTO, Device.cpu(), Precision.FP32)).isEqualTo(InferenceEngine.ONNXRUNTIME);
        assertThat(ModelService.engine(EngineChoice.AUTO, Device.gpu(), Precision.FP32)).isEqualTo(InferenceEngine.PYTORCH);
    }

    @Test
    void autoRunsPytorchForBf16() {
        assertThat(ModelService.engine(EngineChoice.AUTO, Device.cpu(), Precision.BF16)).isEqualTo(InferenceEngine.PYTORCH);
    }

    @Test
    void anExplicitChoiceIsKept() {
        assertThat(ModelService.engine(EngineChoice.PYTORCH, Device.cpu(), Precision.FP32)).isEqualTo(InferenceEngine.PYTORCH);
        assertThat(ModelService.engine(EngineChoice.ONNXRUNTIME, Device.cpu(), Precision.FP32))
                .isEqualTo(InferenceEngine.ONNXRUNTIME);
    }

    @Test
    void onnxRuntimeOnGpuOrInBf16IsRefusedWithTheFix() {
        assertThatThrownBy(() -> ModelService.engine(EngineChoice.ONNXRUNTIME, Device.gpu(), Precision.FP32))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("engine=pytorch");
        assertThatThrownBy(() -> ModelService.engine(EngineChoice.ONNXRUNTIME, Device.cpu(), Precision.BF16))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("engine=pytorch");
    }

    @Test
    void bf16OnlyWhereItRunsNatively() {
        assertThat(ModelService.precision(PrecisionChoice.BF16, Device.cpu(), WITH_BF16)).isEqualTo(Precision.BF16);
        assertThat(ModelService.precision(PrecisionChoice.BF16, Device.gpu(), WITHOUT_BF16)).isEqualTo(Precision.BF16);
        assertThat(ModelService.precision(PrecisionChoice.BF16, Device.cpu(), WITHOUT_BF16)).isEqualTo(Precision.FP32);
        assertThat(ModelService.precision(PrecisionChoice.BF16, Device.cpu(), new CpuFeatures(WITH_BF16.flags(), "AVX")))
                .as("oneDNN limited below its bfloat16 kernels").isEqualTo(Precision.FP32);
        assertThat(ModelService.precision(PrecisionChoice.FP32, Device.cpu(), WITH_BF16)).isEqualTo(Precision.FP32);
    }

    @Test
    void unsetWorkersOnTwoOrMoreCpusRunAsLanes() {
        DenseServeProperties.Inference unset = new DenseServeProperties.Inference();
        assertThat(ModelService.layout(unset, Device.cpu(), 2)).isEqualTo(WorkerLayout.lanes(2));
        assertThat(ModelService.layout(unset, Device.cpu(), 8)).isEqualTo(new WorkerLayout(2, 4, 8));
        assertThat(ModelService.layout(unset, Device.cpu(), 1)).isEqualTo(WorkerLayout.fixed(1, 1));
        assertThat(ModelService.layout(unset, Device.gpu(), 2)).isEqualTo(WorkerLayout.fixed(1, 2));
    }

    @Test
    void workersOrThreadsSetKeepTheirFixedLayout() {
        DenseServeProperties.Inference settings = new DenseServeProperties.Inference();
        settings.setWorkers(2);
        settings.setIntraOpThreads(1);
        assertThat(ModelService.layout(settings, Device.cpu(), 2)).isEqualTo(WorkerLayout.fixed(2, 1));
        DenseServeProperties.Inference threadsOnly = new DenseServeProperties.Inference();
        threadsOnly.setIntraOpThreads(2);
        assertThat(ModelService.layout(threadsOnly, Device.cpu(), 2)).isEqualTo(WorkerLayout.fixed(1, 2));
    }
}
