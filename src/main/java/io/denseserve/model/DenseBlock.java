package io.denseserve.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.List;

/**
 * L dense layers, each fed the concatenation of the block input and every earlier layer's output;
 * the block emits {@code c0 + L * k} channels. Children are {@code denselayer1 .. denselayerL}.
 *
 * <p>In {@link ForwardMode#LEAN} inference the block allocates its output once and lets each layer
 * read a view of the channels written so far, so it never builds the L concatenated copies that
 * {@link ForwardMode#CONCAT} (and training) builds.
 */
public final class DenseBlock extends AbstractBlock {

    private final List<DenseLayer> layers = new ArrayList<>();
    private final int growthRate;
    private final ForwardMode mode;

    DenseBlock(int numLayers, int growthRate, int bnSize, float dropRate, ForwardMode mode) {
        this.growthRate = growthRate;
        this.mode = mode;
        for (int i = 1; i <= numLayers; i++) {
            layers.add(addChildBlock("denselayer" + i, new DenseLayer(growthRate, bnSize, dropRate, mode)));
        }
    }

    void fuseForInference() {
        layers.forEach(DenseLayer::fuseForInference);
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray input = inputs.singletonOrThrow();
        if (mode == ForwardMode.LEAN && !training) {
            return new NDList(forwardIntoBuffer(store, input));
        }
        return new NDList(forwardConcatenating(store, input, training));
    }

    private NDArray forwardIntoBuffer(ParameterStore store, NDArray input) {
        Shape in = input.getShape();
        long written = in.get(1);
        Shape outShape = new Shape(in.get(0), written + (long) layers.size() * growthRate, in.get(2), in.get(3));
        NDArray buffer = input.getManager().create(outShape, input.getDataType());
        buffer.set(new NDIndex(":, 0:{}", written), input);
        for (DenseLayer layer : layers) {
            try (NDArray seen = buffer.get(new NDIndex(":, 0:{}", written));
                    NDArray added = layer.forward(store, new NDList(seen), false).singletonOrThrow()) {
                buffer.set(new NDIndex(":, {}:{}", written, written + growthRate), added);
            }
            written += growthRate;
        }
        return buffer;
    }

    private NDArray forwardConcatenating(ParameterStore store, NDArray input, boolean training) {
        NDList features = new NDList(input);
        for (DenseLayer layer : layers) {
            NDArray concatenated = NDArrays.concat(features, 1);
            features.add(layer.forward(store, new NDList(concatenated), training).singletonOrThrow());
        }
        return NDArrays.concat(features, 1);
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape in = inputShapes[0];
        for (int i = 0; i < layers.size(); i++) {
            layers.get(i).initialize(manager, dataType, channels(in, in.get(1) + (long) i * growthRate));
        }
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape in = inputShapes[0];
        return new Shape[] {channels(in, in.get(1) + (long) layers.size() * growthRate)};
    }

    private static Shape channels(Shape nchw, long channels) {
        return new Shape(nchw.get(0), channels, nchw.get(2), nchw.get(3));
    }
}
