package io.denseserve.openinference;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;

/**
 * An Open Inference Protocol inference request body (its JSON part when the binary-data extension
 * appends tensors after it).
 */
record InferenceRequest(String id, Map<String, JsonNode> parameters, List<Input> inputs, List<RequestedOutput> outputs) {

    /** One input tensor: {@code data} inline, or {@code parameters.binary_data_size} bytes after the JSON. */
    record Input(String name, List<Long> shape, String datatype, Map<String, JsonNode> parameters, JsonNode data) {}

    /** An output the client asks for, with {@code classification} or {@code binary_data} parameters. */
    record RequestedOutput(String name, Map<String, JsonNode> parameters) {}
}
