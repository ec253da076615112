package io.denseserve.plan;

/** The runtimes that can run an {@link InferencePlan}. */
public enum InferenceEngine {
    /**
     * ONNX Runtime (CPU) on the ONNX graph {@code DenseNetGraph} writes from the loaded weights,
     * folds applied.
     */
    ONNXRUNTIME("onnxruntime"),
    /**
     * libtorch through DJL, on the TorchScript module {@code DenseNetModule} writes from the loaded
     * weights, folds applied: CPU or GPU, fp32 or bf16.
     */
    PYTORCH("pytorch");

    private final String label;

    InferenceEngine(String label) {
        this.label = label;
    }

    /** The lower-case name used in settings, {@code /models} and logs. */
    public String label() {
        return label;
    }
}
