package io.denseserve.openinference;

import io.denseserve.bundle.BundleManifest;
import io.denseserve.classify.ClassificationService;
import io.denseserve.classify.ClassificationService.ModelInput;
import io.denseserve.config.DenseServeProperties;
import io.denseserve.inference.InferenceMetrics;
import io.denseserve.serving.ModelAddress;
import io.denseserve.serving.ModelService;
import io.denseserve.serving.ModelState;
import io.denseserve.serving.ServedModel;
import java.util.List;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.availability.ApplicationAvailability;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.stereotype.Component;

/**
 * The Open Inference Protocol's answers, whichever transport carries them (REST:
 * {@link InferenceProtocolController}, gRPC: {@link GrpcInferenceService}): server and model
 * metadata, readiness, which model a name and version address, and inference through
 * {@link ClassificationService}, so that both share its admission control, batching, limits and
 * metrics.
 */
@Component
class InferenceProtocol {

    static final List<String> EXTENSIONS = List.of("binary_tensor_data", "classification");
    /** Listed where the repository extension is on ({@link RepositoryController#on}). */
    static final String MODEL_REPOSITORY = "model_repository";
    static final String IMAGE_INPUT = "image";
    static final String TENSOR_INPUT = "input";

    private final ModelService models;
    private final ClassificationService service;
    private final ApplicationAvailability availability;
    private final int maxBatch;
    private final List<String> extensions;
    private final String version;

    InferenceProtocol(ModelService models, ClassificationService service, ApplicationAvailability availability,
            DenseServeProperties properties, @Value("${spring.application.version:development}") String version) {
        this.models = models;
        this.service = service;
        this.availability = availability;
        this.maxBatch = properties.getLimits().getMaxBatchImages();
        this.extensions = RepositoryController.on(properties)
                ? java.util.stream.Stream.concat(EXTENSIONS.stream(), java.util.stream.Stream.of(MODEL_REPOSITORY)).toList()
                : EXTENSIONS;
        this.version = version;
    }

    record ServerMetadata(String name, String version, List<String> extensions) {}

    record TensorMetadata(String name, String datatype, List<Long> shape) {}

    record ModelMetadata(String name, List<String> versions, String platform, List<TensorMetadata> inputs,
            List<TensorMetadata> outputs) {}

    /** What an inference answered: the model that served it and the outputs asked for. */
    record Inferred(BundleManifest manifest, OutputTensors.Built outputs) {}

    ServerMetadata server() {
        return new ServerMetadata("denseserve", version, extensions);
    }

    boolean ready() {
        return models.state() == ModelState.READY
                && availability.getReadinessState() == ReadinessState.ACCEPTING_TRAFFIC;
    }

    ModelMetadata metadata(String name, String version) {
        ServedModel model = served(name, version);
        BundleManifest manifest = model.manifest();
        int[] chw = chw(model);
        return new ModelMetadata(name, models.servedVersions(model.name()), "densenet_" + model.plan().engine().label(),
                List.of(new TensorMetadata(IMAGE_INPUT, InputTensors.BYTES, List.of(-1L)),
                        new TensorMetadata(TENSOR_INPUT, InputTensors.FP32, List.of(-1L, (long) chw[0], (long) chw[1], (long) chw[2]))),
                List.of(new TensorMetadata(OutputTensors.PROBABILITIES, InputTensors.FP32,
                        List.of(-1L, (long) manifest.labels().size()))));
    }

    /**
     * Runs the one input the model takes ({@code binary}: its bytes in the binary layout, or null
     * where its data are inline) and builds the outputs asked for.
     *
     * @param deadlineNanos a {@link System#nanoTime()} past which the caller no longer wants the
     *     answer, or null: the request timeout's alone
     * @param protocol which door the request came in by, for its count
     */
    Inferred infer(String name, String version, List<InferenceRequest.Input> inputs, List<byte[]> binary,
            List<InferenceRequest.RequestedOutput> outputs, long startNanos, Long deadlineNanos,
            InferenceMetrics.Protocol protocol) {
        ServedModel model = served(name, version);
        if (inputs.size() != 1) {
            throw InferenceProtocolException.badRequest("the model takes one input ('" + IMAGE_INPUT + "' or '"
                    + TENSOR_INPUT + "'), not " + inputs.size());
        }
        List<ModelInput> modelInputs = InputTensors.of(inputs.get(0), binary.get(0), chw(model), maxBatch);
        ClassificationService.Probabilities result = service.probabilities(new ModelAddress(name, version), modelInputs,
                startNanos, deadlineNanos, protocol);
        BundleManifest manifest = result.model().manifest();
        return new Inferred(manifest, OutputTensors.of(outputs, result.values(), manifest.labels()));
    }

    /** The model {@code name} and {@code version} address ({@link ModelService#find}); else 404. */
    ServedModel served(String name, String version) {
        return models.find(name, version);
    }

    private static int[] chw(ServedModel model) {
        var p = model.manifest().preprocessing();
        int channels = model.preprocessor().inputSize() / (p.crop() * p.crop());
        return new int[] {channels, p.crop(), p.crop()};
    }
}
