package io.denseserve.openinference;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.denseserve.inference.InferenceMetrics;
import io.denseserve.web.Classification;
import io.denseserve.web.RequestBodies;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
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

    private final InferenceProtocol protocol;
    private final ObjectMapper json;

    InferenceProtocolController(InferenceProtocol protocol, ObjectMapper json) {
        this.protocol = protocol;
        this.json = json;
    }

    record Live(boolean live) {}

    record Ready(boolean ready) {}

    record ModelReady(String name, boolean ready) {}

    @GetMapping(path = "/v2", produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "Server metadata", operationId = "serverMetadata")
    InferenceProtocol.ServerMetadata server() {
        return protocol.server();
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
        boolean ready = protocol.ready();
        return ResponseEntity.status(ready ? HttpStatus.OK : HttpStatus.BAD_REQUEST).body(new Ready(ready));
    }

    @GetMapping(path = {"/v2/models/{name}", "/v2/models/{name}/versions/{version}"}, produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "Model metadata", operationId = "modelMetadata")
    InferenceProtocol.ModelMetadata model(@PathVariable String name, @PathVariable(required = false) String version) {
        return protocol.metadata(name, version);
    }

    @GetMapping(path = {"/v2/models/{name}/ready", "/v2/models/{name}/versions/{version}/ready"},
            produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "Model ready", operationId = "modelReady")
    ResponseEntity<ModelReady> modelReady(@PathVariable String name, @PathVariable(required = false) String version) {
        protocol.served(name, version); // 404 for a model this server does not serve
        boolean ready = protocol.ready();
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
        protocol.served(name, version); // 404 before the body is parsed
        InferBody body = InferBody.parse(RequestBodies.of(request), request.getHeader(InferBody.HEADER_LENGTH), json);
        InferenceProtocol.Inferred inferred = protocol.infer(name, version, body.request().inputs(), body.binary(),
                body.request().outputs(), start, null, InferenceMetrics.Protocol.REST);
        OutputTensors.Built outputs = inferred.outputs();
        byte[] head = json.writeValueAsBytes(new InferenceResponse(name, inferred.manifest().version(),
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
}
