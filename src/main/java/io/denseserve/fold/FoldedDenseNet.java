package io.denseserve.fold;

import io.denseserve.model.DenseNetConfig;
import io.denseserve.model.DenseNetLayout;
import io.denseserve.model.Stem;
import io.denseserve.weights.StateDict;
import java.util.ArrayList;
import java.util.List;

/**
 * A loaded DenseNet as every inference plan is written from it: its {@link DenseNetLayout} with
 * each part's weights, the batch norms that follow a convolution already folded into it. Built once
 * from the configuration and the state dict; the ONNX graph writer, the TorchScript module writer
 * and the class activation maps read it, and none of them looks up a state_dict key itself.
 *
 * <p>What stays a separate {@link ChannelAffine} is each batch norm that feeds a ReLU ({@code
 * norm1}, a transition's norm, {@code norm5}): the engines rewrite those differently (a depthwise
 * convolution for ONNX Runtime, a clamp folded into the next convolution for libtorch).
 *
 * @param layout names and shapes
 * @param stem {@code conv0}, with {@code norm0} folded in for the ImageNet stem
 * @param blocks the dense blocks in order
 * @param norm5 the batch norm before the classifier's ReLU and pooling
 * @param classifier the linear layer, {@code (classes, channels)} with its bias
 */
public record FoldedDenseNet(DenseNetLayout layout, Kernel stem, List<Block> blocks, ChannelAffine norm5, Kernel classifier) {

    /** A dense layer: {@code conv2(relu(conv1(relu(norm1(x)))))}, {@code conv1} with {@code norm2} folded in. */
    public record Layer(String name, ChannelAffine norm1, Kernel conv1, Kernel conv2) {
    }

    /** Between two blocks: {@code pool(conv(relu(norm(x))))}. */
    public record Transition(String name, ChannelAffine norm, Kernel conv) {
    }

    /** A dense block reading {@code inputChannels}, and the transition after it (null after the last block). */
    public record Block(int inputChannels, List<Layer> layers, Transition transition) {
    }

    public static FoldedDenseNet of(DenseNetConfig config, StateDict weights) {
        DenseNetLayout layout = DenseNetLayout.of(config);
        Kernel conv0 = conv(weights, layout.stem().conv0());
        Kernel stem = layout.stem().norm0() == null ? conv0 : norm(weights, layout.stem().norm0()).after(conv0);
        List<Block> blocks = new ArrayList<>();
        for (DenseNetLayout.Block block : layout.blocks()) {
            List<Layer> layers = new ArrayList<>();
            for (DenseNetLayout.Layer layer : block.layers()) {
                layers.add(new Layer(layer.prefix(), norm(weights, layer.norm1()),
                        norm(weights, layer.norm2()).after(conv(weights, layer.conv1())), conv(weights, layer.conv2())));
            }
            DenseNetLayout.TransitionLayer t = block.transition();
            blocks.add(new Block(block.inputChannels(), List.copyOf(layers),
                    t == null ? null : new Transition(t.prefix(), norm(weights, t.norm()), conv(weights, t.conv()))));
        }
        String head = layout.head().prefix();
        return new FoldedDenseNet(layout, stem, List.copyOf(blocks), norm(weights, layout.norm5()),
                Kernel.of(weights.get(head + ".weight"), weights.get(head + ".bias")));
    }

    public DenseNetConfig config() {
        return layout.config();
    }

    /** Whether the stem is the ImageNet one (convolution, ReLU, max pool) rather than one convolution. */
    public boolean imagenetStem() {
        return config().stem() == Stem.IMAGENET;
    }

    private static Kernel conv(StateDict weights, DenseNetLayout.Conv conv) {
        return Kernel.of(weights.get(conv.prefix() + ".weight"));
    }

    private static ChannelAffine norm(StateDict weights, DenseNetLayout.Norm norm) {
        return ChannelAffine.of(weights, norm.prefix());
    }
}
