package io.denseserve.weights;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import io.denseserve.model.TorchNames;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Copies a state_dict into an initialised block, strictly, as {@code load_state_dict(strict=True)}
 * does: every parameter must be present, no key may be left over, every shape must match. All
 * problems are reported together, each naming the key and both shapes.
 *
 * <p>Accepted spellings: torchvision's legacy DenseNet keys ({@code denselayer1.norm.1.weight} for
 * {@code denselayer1.norm1.weight}), {@code nn.DataParallel}'s {@code module.} prefix, and
 * BatchNorm's {@code num_batches_tracked}, which only matters to training and is ignored.
 */
public final class StateDictLoader {

    private static final Pattern LEGACY_DENSE_LAYER = Pattern.compile("(denselayer\\d+\\.)(norm|relu|conv)\\.([12])\\.");
    private static final int MAX_LISTED = 10;

    private StateDictLoader() {}

    /**
     * Loads {@code stateDict} into {@code block}, whose parameters must already be initialised.
     *
     * @throws WeightsFormatException listing missing keys, unexpected keys and shape mismatches
     */
    public static void load(Block block, StateDict stateDict) throws WeightsFormatException {
        Map<String, Parameter> wanted = TorchNames.parameters(block);
        Map<String, long[]> shapes = new LinkedHashMap<>();
        wanted.forEach((key, p) -> shapes.put(key, p.getArray().getShape().getShape()));
        StateDict checked = check(shapes, stateDict);
        for (Map.Entry<String, Parameter> e : wanted.entrySet()) {
            NDArray array = e.getValue().getArray();
            array.set(FloatBuffer.wrap(checked.get(e.getKey()).values()));
        }
    }

    /**
     * Checks {@code stateDict} against the keys and shapes a network declares, without building
     * it: the same rules as {@link #load}.
     *
     * @param shapes every state_dict key the network has, with its shape
     * @return the weights under the network's own keys (legacy names and a {@code module.} prefix
     *     resolved, {@code num_batches_tracked} dropped), in the order of {@code shapes}
     * @throws WeightsFormatException listing missing keys, unexpected keys and shape mismatches
     */
    public static StateDict check(Map<String, long[]> shapes, StateDict stateDict) throws WeightsFormatException {
        Map<String, HostTensor> given = canonical(stateDict);
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, long[]> e : shapes.entrySet()) {
            HostTensor tensor = given.get(e.getKey());
            long[] expected = e.getValue();
            if (tensor == null) {
                problems.add("missing key '" + e.getKey() + "' (model expects shape " + Arrays.toString(expected) + ")");
            } else if (!Arrays.equals(expected, tensor.shape())) {
                problems.add("shape mismatch for '" + e.getKey() + "': file has " + tensor.shapeText()
                        + ", model expects " + Arrays.toString(expected));
            }
        }
        for (Map.Entry<String, HostTensor> e : given.entrySet()) {
            if (!shapes.containsKey(e.getKey())) {
                problems.add("unexpected key '" + e.getKey() + "' with shape " + e.getValue().shapeText());
            }
        }
        if (!problems.isEmpty()) {
            throw new WeightsFormatException("weights do not match the model (" + problems.size() + " problems): "
                    + String.join("; ", problems.subList(0, Math.min(MAX_LISTED, problems.size())))
                    + (problems.size() > MAX_LISTED ? "; ..." : ""));
        }
        Map<String, HostTensor> ordered = new LinkedHashMap<>();
        shapes.keySet().forEach(key -> ordered.put(key, given.get(key)));
        return new StateDict(ordered, stateDict.metadata());
    }

    /** The state_dict under the keys our blocks use. */
    static Map<String, HostTensor> canonical(StateDict stateDict) {
        boolean dataParallel = !stateDict.tensors().isEmpty()
                && stateDict.tensors().keySet().stream().allMatch(k -> k.startsWith("module."));
        Map<String, HostTensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, HostTensor> e : stateDict.tensors().entrySet()) {
            String key = dataParallel ? e.getKey().substring("module.".length()) : e.getKey();
            if (key.endsWith(".num_batches_tracked")) {
                continue;
            }
            out.put(LEGACY_DENSE_LAYER.matcher(key).replaceAll("$1$2$3."), e.getValue());
        }
        return out;
    }

    /**
     * The block's parameters as a state_dict, for {@link SafetensorsFormat#write}.
     *
     * @param block an initialised block
     * @param metadata stored in the file's {@code __metadata__}
     */
    public static StateDict export(Block block, Map<String, String> metadata) {
        Map<String, HostTensor> tensors = new LinkedHashMap<>();
        for (Map.Entry<String, Parameter> e : TorchNames.parameters(block).entrySet()) {
            NDArray array = e.getValue().getArray();
            tensors.put(e.getKey(), new HostTensor(array.getShape().getShape(), array.toFloatArray(), "F32"));
        }
        return new StateDict(tensors, metadata);
    }
}
