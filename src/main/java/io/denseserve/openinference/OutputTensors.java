package io.denseserve.openinference;

import com.fasterxml.jackson.databind.JsonNode;
import io.denseserve.classify.ClassificationService;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The response's output tensors from the class probabilities. The one output, {@code probabilities},
 * is {@code FP32 [N, classes]}; with the classification extension's {@code classification: K} it is
 * {@code BYTES [N, K]} instead, each element {@code "probability:index:label"}, most probable first;
 * with {@code binary_data: true} its data follow the JSON (the binary-data extension).
 */
final class OutputTensors {

    static final String PROBABILITIES = "probabilities";
    static final String CLASSIFICATION = "classification";
    static final String BINARY_DATA = "binary_data";

    /** The outputs for the JSON part, and the bytes to append after it, in the outputs' order. */
    record Built(List<InferenceResponse.Output> outputs, byte[] binary) {}

    private OutputTensors() {}

    static Built of(List<InferenceRequest.RequestedOutput> requested, List<float[]> probabilities, List<String> labels) {
        List<InferenceRequest.RequestedOutput> wanted = requested == null || requested.isEmpty()
                ? List.of(new InferenceRequest.RequestedOutput(PROBABILITIES, Map.of())) : requested;
        List<InferenceResponse.Output> outputs = new ArrayList<>();
        ByteArrayOutputStream binary = new ByteArrayOutputStream();
        for (InferenceRequest.RequestedOutput output : wanted) {
            if (!PROBABILITIES.equals(output.name())) {
                throw InferenceProtocolException.badRequest("unknown output '" + output.name() + "'; the model has '"
                        + PROBABILITIES + "'");
            }
            Map<String, JsonNode> parameters = output.parameters() == null ? Map.of() : output.parameters();
            boolean asBinary = parameters.containsKey(BINARY_DATA) && parameters.get(BINARY_DATA).asBoolean(false);
            JsonNode k = parameters.get(CLASSIFICATION);
            byte[] bytes;
            Object data;
            String datatype;
            List<Long> shape;
            if (k != null) {
                if (!k.canConvertToInt() || k.asInt() < 1) {
                    throw InferenceProtocolException.badRequest("output '" + PROBABILITIES + "': " + CLASSIFICATION
                            + " must be a positive integer, not " + k);
                }
                int top = Math.min(k.asInt(), labels.size());
                List<String> strings = new ArrayList<>();
                probabilities.forEach(p -> strings.addAll(classification(p, labels, top)));
                datatype = InputTensors.BYTES;
                shape = List.of((long) probabilities.size(), (long) top);
                data = strings;
                bytes = asBinary ? bytesElements(strings) : null;
            } else {
                float[] flat = new float[probabilities.size() * labels.size()];
                for (int i = 0; i < probabilities.size(); i++) {
                    System.arraycopy(probabilities.get(i), 0, flat, i * labels.size(), labels.size());
                }
                datatype = InputTensors.FP32;
                shape = List.of((long) probabilities.size(), (long) labels.size());
                data = flat;
                bytes = asBinary ? floats(flat) : null;
            }
            Map<String, Object> outParameters = null;
            if (bytes != null) {
                binary.writeBytes(bytes);
                outParameters = new LinkedHashMap<>();
                outParameters.put(InferBody.BINARY_SIZE, bytes.length);
                data = null;
            }
            outputs.add(new InferenceResponse.Output(PROBABILITIES, datatype, shape, outParameters, data));
        }
        return new Built(outputs, binary.toByteArray());
    }

    /** The {@code k} most probable classes of one image as "probability:index:label". */
    static List<String> classification(float[] probabilities, List<String> labels, int k) {
        return ClassificationService.rank(probabilities, labels, k).stream()
                .map(p -> String.format(Locale.ROOT, "%.6f:%d:%s", p.probability(), p.index(), p.label())).toList();
    }

    private static byte[] floats(float[] values) {
        ByteBuffer out = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        out.asFloatBuffer().put(values);
        return out.array();
    }

    /** BYTES elements in binary: each a 4-byte little-endian length, then its UTF-8 bytes. */
    private static byte[] bytesElements(List<String> strings) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String s : strings) {
            byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
            out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(utf8.length).array());
            out.writeBytes(utf8);
        }
        return out.toByteArray();
    }
}
