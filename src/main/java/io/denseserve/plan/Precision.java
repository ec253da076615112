package io.denseserve.plan;

/** The number type a plan computes in. */
public enum Precision {
    /** 32-bit floats everywhere: the reference, what every engine runs by default. */
    FP32("fp32"),
    /**
     * Weights and activations in bfloat16 (8 bits of mantissa), logits returned as floats: the
     * libtorch plan on a CPU with bfloat16 instructions ({@link CpuFeatures#bf16}), where oneDNN's
     * convolutions multiply twice the values per instruction.
     */
    BF16("bf16");

    private final String label;

    Precision(String label) {
        this.label = label;
    }

    /** The lower-case name used in settings, {@code /models} and logs. */
    public String label() {
        return label;
    }
}
