package io.denseserve.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import io.denseserve.config.DenseServeProperties.EngineChoice;
import io.denseserve.plan.InferenceEngine;
import org.junit.jupiter.api.Test;

/** {@code denseserve.inference.engine}: auto picks by device; onnxruntime refuses a GPU. */
class EngineSelectionTest {

    @Test
    void autoRunsOnnxRuntimeOnCpuAndPytorchOnGpu() {
        assertThat(ModelService.engine(EngineChoice.AUTO, Device.cpu())).isEqualTo(InferenceEngine.ONNXRUNTIME);
        assertThat(ModelService.engine(EngineChoice.AUTO, Device.gpu())).isEqualTo(InferenceEngine.PYTORCH);
    }

    @Test
    void anExplicitChoiceIsKept() {
        assertThat(ModelService.engine(EngineChoice.PYTORCH, Device.cpu())).isEqualTo(InferenceEngine.PYTORCH);
        assertThat(ModelService.engine(EngineChoice.ONNXRUNTIME, Device.cpu())).isEqualTo(InferenceEngine.ONNXRUNTIME);
    }

    @Test
    void onnxRuntimeOnGpuIsRefusedWithTheFix() {
        assertThatThrownBy(() -> ModelService.engine(EngineChoice.ONNXRUNTIME, Device.gpu()))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("engine=pytorch");
    }
}
