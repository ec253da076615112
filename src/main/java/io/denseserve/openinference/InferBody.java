package io.denseserve.openinference;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * An inference request body split as the binary-data extension lays it out: the first
 * {@code Inference-Header-Content-Length} bytes are the JSON request (the whole body without the
 * header), then each input that declares {@code parameters.binary_data_size} owns that many bytes,
 * in the order of the inputs.
 *
 * @param binary each input's binary bytes, null for an input whose data are inline
 */
record InferBody(InferenceRequest request, List<byte[]> binary) {

    static final String HEADER_LENGTH = "Inference-Header-Content-Length";
    static final String BINARY_SIZE = "binary_data_size";

    static InferBody parse(byte[] body, String headerLength, ObjectMapper json) {
        int jsonLength = body.length;
        if (headerLength != null) {
            try {
                jsonLength = Integer.parseInt(headerLength.strip());
            } catch (NumberFormatException e) {
                throw InferenceProtocolException.badRequest(HEADER_LENGTH + " is not a number: " + headerLength);
            }
            if (jsonLength < 0 || jsonLength > body.length) {
                throw InferenceProtocolException.badRequest(HEADER_LENGTH + " " + jsonLength + " is outside the body's "
                        + body.length + " bytes");
            }
        }
        InferenceRequest request;
        try {
            request = json.readValue(body, 0, jsonLength, InferenceRequest.class);
        } catch (JsonProcessingException e) {
            throw InferenceProtocolException.badRequest("the request is not valid JSON of an inference request: "
                    + e.getOriginalMessage());
        } catch (IOException e) {
            throw InferenceProtocolException.badRequest("the request could not be read: " + e.getMessage());
        }
        if (request == null || request.inputs() == null || request.inputs().isEmpty()) {
            throw InferenceProtocolException.badRequest("the request has no inputs");
        }
        List<byte[]> binary = new ArrayList<>(request.inputs().size());
        int offset = jsonLength;
        for (InferenceRequest.Input input : request.inputs()) {
            JsonNode size = input.parameters() == null ? null : input.parameters().get(BINARY_SIZE);
            if (size == null) {
                binary.add(null);
                continue;
            }
            if (!size.canConvertToInt() || size.asInt() < 0 || size.asLong() > body.length - offset) {
                throw InferenceProtocolException.badRequest("input '" + input.name() + "': " + BINARY_SIZE + " " + size
                        + " does not fit the " + (body.length - offset) + " bytes left in the body");
            }
            binary.add(Arrays.copyOfRange(body, offset, offset + size.asInt()));
            offset += size.asInt();
        }
        if (offset != body.length) {
            throw InferenceProtocolException.badRequest((body.length - offset)
                    + " bytes after the JSON request belong to no input (" + BINARY_SIZE + ")");
        }
        return new InferBody(request, binary);
    }
}
