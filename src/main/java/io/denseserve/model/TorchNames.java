package io.denseserve.model;

import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Names every parameter of a block tree the way PyTorch's {@code state_dict()} names it: module
 * path, dot, parameter name ({@code features.denseblock1.denselayer1.norm1.running_mean}).
 *
 * <p>DJL stores a child as {@code "01" + name} to keep insertion order; this strips that prefix so
 * that the names our blocks were given, which are torchvision's, become the checkpoint keys.
 */
public final class TorchNames {

    private static final Pattern DJL_POSITION = Pattern.compile("^\\d{2}");

    private TorchNames() {}

    /**
     * Returns the parameters of {@code block} and all its descendants by their state_dict key, in
     * module order.
     *
     * @param block the root, such as a {@link DenseNet}
     * @return an ordered map from state_dict key to parameter
     */
    public static Map<String, Parameter> parameters(Block block) {
        Map<String, Parameter> out = new LinkedHashMap<>();
        collect("", block, out);
        return out;
    }

    private static void collect(String prefix, Block block, Map<String, Parameter> out) {
        for (Pair<String, Parameter> p : block.getDirectParameters()) {
            out.put(prefix + p.getKey(), p.getValue());
        }
        for (Pair<String, Block> child : block.getChildren()) {
            String name = DJL_POSITION.matcher(child.getKey()).replaceFirst("");
            collect(prefix + name + ".", child.getValue(), out);
        }
    }
}
