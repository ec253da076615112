package io.denseserve.openinference;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.denseserve.bundle.BundleManifest;
import io.denseserve.classify.ClassificationService;
import io.denseserve.classify.ClassificationService.ModelInput;
import io.denseserve.config.DenseServeProperties;
import io.denseserve.serving.ModelService;
import io.denseserve.serving.ModelState;
import io.denseserve.serving.ServedModel;
import io.denseserve.web.Classification;
import io.denseserve.web.RequestBodies;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.availability.ApplicationAvailability;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The Open Inference Protocol (KServe v2) over REST, beside {@code /classify} and sharing its
 * admission control, batching, limits, metrics and readiness. Extensions: {@code binary_tensor_data}
 * (tensors after the JSON, sized by {@code Inference-Header-Content-Length} and
 * {@code binary_data_size}) and {@code classification} (top-K labels as strings).
 */
@RestController
@Tag(name = "open-inference", description = "The Open Inference Protocol (KServe v2), REST")
class InferenceProtocolController {

    static final List<String> EXTENSIONS = List.of("binary_tensor_data", "classification");
    static final String IMAGE_INPUT = "image";
    static final String TENSOR_INPUT = "input";

    private final ModelService models;
    private final ClassificationService service;
    private final ApplicationAvailability availability;
    private final ObjectMapper json;
    private final int maxBatch;
    private final String alias;
    private final String version;

    InferenceProtocolController(ModelService models, ClassificationService service, ApplicationAvailability availability,
            ObjectMapper json, DenseServeProperties properties,
            @Value("${spring.application.version:development}") String version) {
        this.models = models;
        this.service = service;
        this.availability = availability;
        this.json = json;
        this.maxBatch = properties.getLimits().getMaxBatchImages();
        this.alias = properties.getModel().getAlias();
        this.version = version;
    }

    record ServerMetadata(String name, String version, List<String> extensions) {}

    record Live(boolean live) {}

    record Ready(boolean ready) {}

    record ModelReady(String name, boolean ready) {}

    record TensorMetadata(String name, String datatype, List<Long> shape) {}

    record ModelMetadata(String name, List<String> versions, String platform, List<TensorMetadata> inputs,
            List<TensorMetadata> outputs) {}

    @GetMapping(path = "/v2", produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "Server metadata", operationId = "serverMetadata")
    ServerMetadata server() {
        return new ServerMetadata("denseserve", version, EXTENSIONS);
    }

    @GetMapping(path = "/v2/health/live", produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "Server live", operationId = "serverLive")
    Live live() {
        return new Live(true);
    }

    /** 200 when ready; the protocol answers "not ready" with a 4xx status. */
    @GetMapping(path = "/v2/health/ready", produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "Server ready", operationId = "serverReady")
    ResponseEntity<Ready> ready() {
        boolean ready = isReady();
        return ResponseEntity.status(ready ? HttpStatus.OK : HttpStatus.BAD_REQUEST).body(new Ready(ready));
    }

    @GetMapping(path = {"/v2/models/{name}", "/v2/models/{name}/versions/{version}"}, produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "Model metadata", operationId = "modelMetadata")
    ModelMetadata model(@PathVariable String name, @PathVariable(required = false) String version) {
        ServedModel model = served(name, version);
        BundleManifest manifest = model.manifest();
        int[] chw = chw(model);
        return new ModelMetadata(name, List.of(manifest.version()), "densenet_" + model.plan().engine().label(),
                List.of(new TensorMetadata(IMAGE_INPUT, InputTensors.BYTES, List.of(-1L)),
                        new TensorMetadata(TENSOR_INPUT, InputTensors.FP32, List.of(-1L, (long) chw[0], (long) chw[1], (long) chw[2]))),
                List.of(new TensorMetadata(OutputTensors.PROBABILITIES, InputTensors.FP32,
                        List.of(-1L, (long) manifest.labels().size()))));
    }

    @GetMapping(path = {"/v2/models/{name}/ready", "/v2/models/{name}/versions/{version}/ready"},
            produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "Model ready", operationId = "modelReady")
    ResponseEntity<ModelReady> modelReady(@PathVariable String name, @PathVariable(required = false) String version) {
        served(name, version); // 404 for a model this server does not serve
        boolean ready = isReady();
        return ResponseEntity.status(ready ? HttpStatus.OK : HttpStatus.BAD_REQUEST)
                .body(new ModelReady(name, ready));
    }

    @Classification
    @PostMapping(path = {"/v2/models/{name}/infer", "/v2/models/{name}/versions/{version}/infer"})
    @Operation(summary = "Inference", operationId = "modelInfer",
            description = "One input: 'image' (BYTES [N], encoded images, binary or base64) or 'input' (FP32 [N, C, H, W], "
                    + "preprocessed). Output 'probabilities': FP32 [N, classes], or with the parameter classification: K, "
                    + "BYTES [N, K] strings 'probability:index:label'. Errors are {\"error\": \"...\"}.")
    ResponseEntity<byte[]> infer(@PathVariable String name, @PathVariable(required = false) String version,
            HttpServletRequest request) throws IOException {
        long start = System.nanoTime();
        ServedModel model = served(name, version);
        InferBody body = InferBody.parse(RequestBodies.of(request), request.getHeader(InferBody.HEADER_LENGTH), json);
        if (body.request().inputs().size() != 1) {
            throw InferenceProtocolException.badRequest("the model takes one input ('" + IMAGE_INPUT + "' or '"
                    + TENSOR_INPUT + "'), not " + body.request().inputs().size());
        }
        List<ModelInput> inputs = InputTensors.of(body.request().inputs().get(0), body.binary().get(0), chw(model), maxBatch);
        ClassificationService.Probabilities result = service.probabilities(inputs, start);
        BundleManifest manifest = result.model().manifest();
        OutputTensors.Built outputs = OutputTensors.of(body.request().outputs(), result.values(), manifest.labels());
        byte[] head = json.writeValueAsBytes(new InferenceResponse(name, manifest.version(),
                body.request().id(), outputs.outputs()));
        if (outputs.binary().length == 0) {
            return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).body(head);
        }
        ByteArrayOutputStream whole = new ByteArrayOutputStream(head.length + outputs.binary().length);
        whole.writeBytes(head);
        whole.writeBytes(outputs.binary());
        return ResponseEntity.ok().contentType(MediaType.APPLICATION_OCTET_STREAM)
                .header(InferBody.HEADER_LENGTH, String.valueOf(head.length)).body(whole.toByteArray());
    }

    private boolean isReady() {
        return models.state() == ModelState.READY
                && availability.getReadinessState() == ReadinessState.ACCEPTING_TRAFFIC;
    }

    /**
     * The served model if {@code name} is its own or {@code denseserve.model.alias} (and
     * {@code version}, when given, is its version); else 404.
     */
    private ServedModel served(String name, String version) {
        ServedModel model = models.current();
        BundleManifest manifest = model.manifest();
        boolean named = manifest.name().equals(name) || name.equals(alias);
        if (!named || (version != null && !manifest.version().equals(version))) {
            throw new InferenceProtocolException(HttpStatus.NOT_FOUND, "no model '" + name + "'"
                    + (version == null ? "" : " version '" + version + "'") + "; this server serves '" + manifest.name()
                    + "'" + (alias == null ? "" : " (also called '" + alias + "')") + " version '" + manifest.version() + "'");
        }
        return model;
    }

    private static int[] chw(ServedModel model) {
        var p = model.manifest().preprocessing();
        int channels = model.preprocessor().inputSize() / (p.crop() * p.crop());
        return new int[] {channels, p.crop(), p.crop()};
    }
}
