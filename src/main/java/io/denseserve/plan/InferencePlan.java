package io.denseserve.plan;

/**
 * A loaded network compiled for serving by one engine. The network's definition ({@code
 * io.denseserve.model}) says what DenseNet is; a plan decides how it runs: which folds, which
 * buffers, which runtime.
 *
 * <p>A plan is shared; each thread that runs forward passes opens its own {@link ForwardPass}.
 */
public interface InferencePlan extends AutoCloseable {

    /** The engine that runs this plan, as {@code /models} and the startup log name it. */
    InferenceEngine engine();

    /** The number type its forward passes compute in. */
    Precision precision();

    /** Intra-op threads a forward pass uses unless opened with another count. */
    int threads();

    /**
     * Opens a forward pass for the calling thread, with the plan's thread settings applied to it.
     *
     * @throws PlanException if the engine cannot start one
     */
    default ForwardPass open() {
        return open(threads());
    }

    /**
     * Opens a forward pass that runs on {@code threads} intra-op threads. ONNX Runtime's pass may
     * then be used by any thread (one at a time); libtorch's applies the count to the thread that
     * runs it, again whenever another thread takes the pass over.
     *
     * @throws PlanException if the engine cannot start one
     */
    ForwardPass open(int threads);

    /**
     * Whether a pass's settings belong to the thread that runs it (libtorch's; see {@link
     * #open(int)}): a pass shared by several threads would then re-apply them at every change.
     */
    default boolean passSettingsPerThread() {
        return false;
    }

    /**
     * Opens a forward pass that runs only while no other pass does (the pass across all the CPUs
     * of {@code inference.CoreLanes}); an engine may let its threads spin between operators there.
     */
    default ForwardPass openAlone(int threads) {
        return open(threads);
    }

    /** Frees the plan's weights and native resources; open passes must be closed first. */
    @Override
    void close();
}
