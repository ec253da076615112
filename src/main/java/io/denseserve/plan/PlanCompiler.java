package io.denseserve.plan;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import io.denseserve.fold.FoldedDenseNet;
import io.denseserve.onnx.DenseNetGraph;
import io.denseserve.torchscript.DenseNetModule;
import io.denseserve.torchscript.TorchScriptArchive.StorageType;

/** Compiles a loaded DenseNet into the {@link InferencePlan} of an engine. */
public final class PlanCompiler {

    private PlanCompiler() {}

    /**
     * @param network the loaded network (from weights checked against its configuration, see
     *     {@code ModelBundle#loadWeights})
     * @param engine which runtime serves
     * @param device where the libtorch plan runs; the ONNX Runtime plan runs on CPU
     * @param precision what the plan computes in; {@link Precision#BF16} only with libtorch (the
     *     ONNX Runtime we ship has no bfloat16 convolutions on CPU)
     * @param imageShape channels, height, width of one preprocessed image
     * @param threads intra-op threads of each forward pass
     * @throws IllegalStateException for libtorch on a CPU whose convolutions it would get wrong
     *     ({@link OneDnnCaches})
     */
    public static InferencePlan compile(FoldedDenseNet network, InferenceEngine engine,
            Device device, Precision precision, int[] imageShape, int threads) {
        if (engine == InferenceEngine.PYTORCH) {
            if (!device.isGpu()) {
                OneDnnCaches.problem().ifPresent(problem -> {
                    throw new IllegalStateException("the libtorch plan cannot run here: " + problem);
                });
            }
            NDManager manager = NDManager.newBaseManager(device, "PyTorch");
            try {
                StorageType storage = precision == Precision.BF16 ? StorageType.BFLOAT16 : StorageType.FLOAT;
                return new TorchPlan(DenseNetModule.write(network, storage), manager, precision, imageShape,
                        threads);
            } catch (RuntimeException e) {
                manager.close();
                throw e;
            }
        }
        if (precision != Precision.FP32) {
            throw new IllegalArgumentException("the ONNX Runtime plan computes in fp32 only, not " + precision.label());
        }
        byte[] graph = DenseNetGraph.write(network, imageShape[1], imageShape[2]);
        return new OnnxRuntimePlan(graph, imageShape, threads);
    }
}
