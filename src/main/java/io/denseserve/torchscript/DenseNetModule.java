package io.denseserve.torchscript;

import io.denseserve.fold.ChannelAffine;
import io.denseserve.fold.ClampedInput;
import io.denseserve.fold.FoldedDenseNet;
import io.denseserve.fold.Kernel;
import io.denseserve.torchscript.TorchScriptArchive.StorageType;
import io.denseserve.torchscript.TorchScriptArchive.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes a loaded DenseNet ({@link FoldedDenseNet}) as a TorchScript module for libtorch: the
 * module {@code src/main/python/densenet_plan.py} (readable, runnable Python; embedded compiled by
 * torch as {@code densenet_plan_compiled.py} beside this class) runs any DenseNet configuration from
 * the weights this class writes.
 * <ul>
 *   <li>{@code norm0} is folded into {@code conv0} and {@code norm2} into {@code conv1}
 *       ({@link FoldedDenseNet}); every batch norm and ReLU that feeds a 1x1 convolution
 *       (dense layers' {@code norm1}, transitions, {@code norm5} before the classifier) becomes one
 *       clamp with per-channel tensor bounds and that convolution ({@link ClampedInput}), exact for
 *       any sign of a scale.</li>
 *   <li>Each dense block allocates its output once; every layer reads a view of the channels
 *       written so far and writes its channels into the next slice, so no layer concatenates.</li>
 *   <li>The ImageNet stem's max pool runs as element-wise maxima of strided views after its ReLU
 *       (which makes zero padding the same as -inf), in place; a transition pools before its
 *       convolution (both linear), which then touches a quarter of the pixels.</li>
 * </ul>
 * The module's {@code forward(images, features)} takes float images and returns the logits as
 * floats, and with {@code features} also {@code relu(norm5(x))}, the maps the classifier pools.
 * Weights are stored, and activations computed, in the archive's storage type, but for the stem
 * and the head, which stay float: the stem's convolution (a few percent of the work) so that the
 * image is not rounded before the first layer, and the last block's output is converted to float
 * before the classifier's clamp, average and linear layer, so that logits and feature maps keep
 * float's 24 bits of mantissa; in bfloat16 logits near 10 would be rounded to steps of 1/16, enough
 * to swap neighbours in a top 5.
 */
public final class DenseNetModule {

    /** The class {@code densenet_plan.py} declares. */
    static final String CLASS_NAME = "DenseNetPlan";
    private static final String SOURCE = source();

    private final List<Tensor> lower1 = new ArrayList<>();
    private final List<Tensor> upper1 = new ArrayList<>();
    private final List<Tensor> weight1 = new ArrayList<>();
    private final List<Tensor> bias1 = new ArrayList<>();
    private final List<Tensor> weight2 = new ArrayList<>();
    private final List<Tensor> transitionLower = new ArrayList<>();
    private final List<Tensor> transitionUpper = new ArrayList<>();
    private final List<Tensor> transitionWeight = new ArrayList<>();
    private final List<Tensor> transitionBias = new ArrayList<>();

    private DenseNetModule() {
    }

    /**
     * @param network the loaded network
     * @param storage the type weights are stored and activations computed in
     * @return the archive, for {@code torch.jit.load}
     */
    public static byte[] write(FoldedDenseNet network, StorageType storage) {
        return new DenseNetModule().archive(network, storage);
    }

    private byte[] archive(FoldedDenseNet network, StorageType storage) {
        int blocks = network.blocks().size();
        int[] layers = new int[blocks];
        int[] inputs = new int[blocks];
        for (int b = 0; b < blocks; b++) {
            FoldedDenseNet.Block block = network.blocks().get(b);
            layers[b] = block.layers().size();
            inputs[b] = block.inputChannels();
            block.layers().forEach(this::denseLayer);
            if (block.transition() != null) {
                ClampedInput t = ClampedInput.of(block.transition().norm(), block.transition().conv());
                transitionLower.add(bound(t.lower()));
                transitionUpper.add(bound(t.upper()));
                transitionWeight.add(weight(t.conv()));
                transitionBias.add(bias(t.conv()));
            }
        }
        ChannelAffine norm5 = network.norm5();
        ClampedInput classifier = ClampedInput.of(norm5, network.classifier());
        return new TorchScriptArchive(CLASS_NAME, SOURCE, storage)
                .bool("imagenet_stem", network.imagenetStem())
                .tensors("stem", List.of(weight(network.stem()), bias(network.stem())), StorageType.FLOAT)
                .integers("block_layers", layers)
                .integers("block_inputs", inputs)
                .integer("growth", network.config().growthRate())
                .tensors("lower1", lower1)
                .tensors("upper1", upper1)
                .tensors("weight1", weight1)
                .tensors("bias1", bias1)
                .tensors("weight2", weight2)
                .tensors("transition_lower", transitionLower)
                .tensors("transition_upper", transitionUpper)
                .tensors("transition_weight", transitionWeight)
                .tensors("transition_bias", transitionBias)
                .tensors("classifier", List.of(bound(classifier.lower()), bound(classifier.upper()),
                        weight(classifier.conv()), bias(classifier.conv())), StorageType.FLOAT)
                .tensors("norm5", List.of(bound(norm5.scale()), bound(norm5.shift())), StorageType.FLOAT)
                .write("densenet");
    }

    private void denseLayer(FoldedDenseNet.Layer layer) {
        ClampedInput folded = ClampedInput.of(layer.norm1(), layer.conv1());
        lower1.add(bound(folded.lower()));
        upper1.add(bound(folded.upper()));
        weight1.add(weight(folded.conv()));
        bias1.add(bias(folded.conv()));
        weight2.add(weight(layer.conv2()));
    }

    /** Per-channel values shaped {@code (1, C, 1, 1)} to broadcast over a batch. */
    private static Tensor bound(double[] perChannel) {
        return new Tensor(new long[] {1, perChannel.length, 1, 1}, Kernel.toFloat(perChannel));
    }

    private static Tensor weight(Kernel kernel) {
        return new Tensor(kernel.shape().clone(), kernel.weightAsFloat());
    }

    private static Tensor bias(Kernel kernel) {
        return new Tensor(new long[] {kernel.outputs()}, kernel.biasAsFloat());
    }

    private static String source() {
        try (InputStream in = DenseNetModule.class.getResourceAsStream("densenet_plan_compiled.py")) {
            if (in == null) {
                throw new IllegalStateException("densenet_plan_compiled.py is missing from the classpath");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
