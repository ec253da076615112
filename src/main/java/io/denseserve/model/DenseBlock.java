package io.denseserve.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.List;

/**
 * L dense layers, each fed the concatenation of the block input and every earlier layer's output;
 * the block emits {@code c0 + L * k} channels. Children are named as {@link DenseNetLayout} says.
 */
public final class DenseBlock extends AbstractBlock {

    private final List<DenseLayer> layers = new ArrayList<>();
    private final int growthRate;

    DenseBlock(List<String> layerNames, int growthRate, int bnSize, float dropRate) {
        this.growthRate = growthRate;
        for (String name : layerNames) {
            layers.add(addChildBlock(name, new DenseLayer(growthRate, bnSize, dropRate)));
        }
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        return new NDList(forwardConcatenating(store, inputs.singletonOrThrow(), training));
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
