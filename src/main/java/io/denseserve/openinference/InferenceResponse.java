package io.denseserve.openinference;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/** An Open Inference Protocol inference response body (its JSON part). */
@JsonInclude(JsonInclude.Include.NON_NULL)
record InferenceResponse(@JsonProperty("model_name") String modelName, @JsonProperty("model_version") String modelVersion,
        String id, List<Output> outputs) {

    /** One output tensor: {@code data} inline (row-major, flattened), or binary after the JSON. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Output(String name, String datatype, List<Long> shape, Map<String, Object> parameters, Object data) {}
}
