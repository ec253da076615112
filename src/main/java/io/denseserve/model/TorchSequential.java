package io.denseserve.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/** Children run in order, like {@code torch.nn.Sequential}, under the names torchvision gives them. */
abstract class TorchSequential extends AbstractBlock {

    /** Adds a child under its torchvision name (DJL prefixes a two-digit position; see TorchNames). */
    <B extends Block> B add(String name, B block) {
        return addChildBlock(name, block);
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray current = inputs.singletonOrThrow();
        for (Block child : getChildren().values()) {
            current = child.forward(store, new NDList(current), training).singletonOrThrow();
        }
        return new NDList(current);
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape[] shapes = inputShapes;
        for (Block child : getChildren().values()) {
            child.initialize(manager, dataType, shapes);
            shapes = child.getOutputShapes(shapes);
        }
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape[] shapes = inputShapes;
        for (Block child : getChildren().values()) {
            shapes = child.getOutputShapes(shapes);
        }
        return shapes;
    }
}
