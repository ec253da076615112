package io.denseserve.plan;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import io.denseserve.model.DenseNetConfig;
import io.denseserve.onnx.DenseNetGraph;
import io.denseserve.weights.StateDict;

/** Compiles a DenseNet's loaded weights into the {@link InferencePlan} of an engine. */
public final class PlanCompiler {

    private PlanCompiler() {}

    /**
     * @param config the architecture
     * @param weights torchvision-named weights checked against it (see {@code ModelBundle#loadWeights})
     * @param engine which runtime serves
     * @param device where the libtorch plan runs; the ONNX Runtime plan runs on CPU
     * @param imageShape channels, height, width of one preprocessed image
     * @param threads intra-op threads of each forward pass
     */
    public static InferencePlan compile(DenseNetConfig config, StateDict weights, InferenceEngine engine,
            Device device, int[] imageShape, int threads) {
        if (engine == InferenceEngine.PYTORCH) {
            NDManager manager = NDManager.newBaseManager(device, "PyTorch");
            try {
                return new TorchPlan(LibtorchDenseNet.compile(config, weights, manager), imageShape, threads);
            } catch (RuntimeException e) {
                manager.close();
                throw e;
            }
        }
        byte[] graph = DenseNetGraph.write(config, weights, imageShape[1], imageShape[2]);
        return new OnnxRuntimePlan(graph, imageShape, threads);
    }
}
