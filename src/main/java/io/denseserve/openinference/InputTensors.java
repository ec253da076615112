package io.denseserve.openinference;

import com.fasterxml.jackson.databind.JsonNode;
import io.denseserve.classify.ClassificationService.ModelInput;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * The one input tensor of an inference request, as the model's inputs: {@code BYTES} of shape
 * {@code [N]} (encoded images: binary, each element a 4-byte little-endian length and its bytes, or
 * inline as base64 strings), or {@code FP32} of shape {@code [N, C, H, W]} already preprocessed
 * (binary little-endian floats, or inline numbers, flat or nested).
 */
final class InputTensors {

    static final String BYTES = "BYTES";
    static final String FP32 = "FP32";

    private InputTensors() {}

    static List<ModelInput> of(InferenceRequest.Input input, byte[] binary, int[] chw, int maxBatch) {
        if (input.shape() == null || input.shape().isEmpty()) {
            throw bad(input, "has no shape");
        }
        long n = input.shape().get(0);
        if (n < 1 || n > maxBatch) {
            throw bad(input, "has " + n + " elements in its first dimension; 1 to " + maxBatch + " are accepted");
        }
        if (binary == null && (input.data() == null || input.data().isNull())) {
            throw bad(input, "has neither data nor " + InferBody.BINARY_SIZE);
        }
        String datatype = String.valueOf(input.datatype());
        return switch (datatype) {
            case BYTES -> images(input, binary, (int) n);
            case FP32 -> tensors(input, binary, (int) n, chw);
            default -> throw bad(input, "has datatype " + datatype + "; " + BYTES + " (encoded images) or " + FP32
                    + " (preprocessed tensors) are accepted");
        };
    }

    private static List<ModelInput> images(InferenceRequest.Input input, byte[] binary, int n) {
        if (input.shape().size() != 1) {
            throw bad(input, "of " + BYTES + " must have shape [N], one encoded image per element");
        }
        List<ModelInput> images = new ArrayList<>(n);
        if (binary != null) {
            ByteBuffer in = ByteBuffer.wrap(binary).order(ByteOrder.LITTLE_ENDIAN);
            while (in.remaining() >= 4) {
                int length = in.getInt();
                if (length < 0 || length > in.remaining()) {
                    throw bad(input, "declares an element of " + Integer.toUnsignedString(length) + " bytes with "
                            + in.remaining() + " left");
                }
                byte[] image = new byte[length];
                in.get(image);
                images.add(new ModelInput.EncodedImage(image));
            }
            if (in.hasRemaining()) {
                throw bad(input, "ends with " + in.remaining() + " bytes that are no element");
            }
        } else {
            for (JsonNode element : flat(input.data())) {
                if (!element.isTextual()) {
                    throw bad(input, "inline " + BYTES + " elements must be base64 strings");
                }
                try {
                    images.add(new ModelInput.EncodedImage(Base64.getDecoder().decode(element.asText())));
                } catch (IllegalArgumentException e) {
                    throw bad(input, "has an element that is not base64: " + e.getMessage());
                }
            }
        }
        if (images.size() != n) {
            throw bad(input, "has " + images.size() + " elements for shape " + input.shape());
        }
        return images;
    }

    private static List<ModelInput> tensors(InferenceRequest.Input input, byte[] binary, int n, int[] chw) {
        List<Long> expected = List.of((long) n, (long) chw[0], (long) chw[1], (long) chw[2]);
        if (!input.shape().equals(expected)) {
            throw bad(input, "of " + FP32 + " has shape " + input.shape() + "; the model takes [N, " + chw[0] + ", "
                    + chw[1] + ", " + chw[2] + "]");
        }
        int size = chw[0] * chw[1] * chw[2];
        float[] all = new float[n * size];
        if (binary != null) {
            if (binary.length != all.length * 4) {
                throw bad(input, "has " + binary.length + " bytes; shape " + input.shape() + " needs " + all.length * 4);
            }
            ByteBuffer.wrap(binary).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(all);
        } else {
            List<JsonNode> values = flat(input.data());
            if (values.size() != all.length) {
                throw bad(input, "has " + values.size() + " values; shape " + input.shape() + " needs " + all.length);
            }
            for (int i = 0; i < all.length; i++) {
                if (!values.get(i).isNumber()) {
                    throw bad(input, "has a value that is not a number at " + i);
                }
                all[i] = values.get(i).floatValue();
            }
        }
        List<ModelInput> tensors = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            float[] one = new float[size];
            System.arraycopy(all, i * size, one, 0, size);
            tensors.add(new ModelInput.Tensor(one));
        }
        return tensors;
    }

    /** Row-major elements of inline data, flat or nested. */
    private static List<JsonNode> flat(JsonNode data) {
        List<JsonNode> out = new ArrayList<>();
        if (data.isArray()) {
            data.forEach(element -> out.addAll(flat(element)));
        } else {
            out.add(data);
        }
        return out;
    }

    private static InferenceProtocolException bad(InferenceRequest.Input input, String what) {
        return InferenceProtocolException.badRequest("input '" + input.name() + "' " + what);
    }
}
