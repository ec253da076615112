package io.denseserve.plan;

import ai.djl.Model;
import io.denseserve.model.DenseNet;
import io.denseserve.onnx.DenseNetGraph;
import io.denseserve.weights.StateDict;
import io.denseserve.weights.StateDictLoader;
import java.util.Map;

/** Compiles a loaded DenseNet into the {@link InferencePlan} of an engine. */
public final class PlanCompiler {

    private PlanCompiler() {}

    /**
     * @param model the DJL PyTorch model holding {@code net} as its block; the plan takes it over
     *     (the libtorch plan runs it, the ONNX Runtime plan copies the weights out and closes it)
     * @param net the loaded network, weights checked against its architecture
     * @param engine which runtime serves
     * @param imageShape channels, height, width of one preprocessed image
     * @param threads intra-op threads of each forward pass
     */
    public static InferencePlan compile(Model model, DenseNet net, InferenceEngine engine, int[] imageShape, int threads) {
        if (engine == InferenceEngine.PYTORCH) {
            return new TorchPlan(model, imageShape, threads);
        }
        try (model) {
            StateDict weights = StateDictLoader.export(net, Map.of());
            byte[] graph = DenseNetGraph.write(net.config(), weights, imageShape[1], imageShape[2]);
            return new OnnxRuntimePlan(graph, imageShape, threads);
        }
    }
}
