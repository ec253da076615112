package io.denseserve.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * Children run in order, like {@code torch.nn.Sequential}, under the names torchvision gives them.
 *
 * <p>In {@link ForwardMode#LEAN} inference each intermediate is closed as soon as the next step has
 * consumed it, so a forward pass holds a handful of activations instead of every one it ever made.
 * The block's own input is never closed: it belongs to the caller.
 */
abstract class TorchSequential extends AbstractBlock {

    private final ForwardMode mode;

    TorchSequential(ForwardMode mode) {
        this.mode = mode;
    }

    ForwardMode mode() {
        return mode;
    }

    /** Adds a child under its torchvision name (DJL prefixes a two-digit position; see TorchNames). */
    <B extends Block> B add(String name, B block) {
        return addChildBlock(name, block);
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        return new NDList(forwardFrom(0, store, inputs.singletonOrThrow(), training, false));
    }

    /**
     * Runs the children from position {@code first} on.
     *
     * @param inputIsOurs whether {@code input} is an intermediate of this block (LEAN may close it)
     *     rather than the caller's
     */
    NDArray forwardFrom(int first, ParameterStore store, NDArray input, boolean training, boolean inputIsOurs) {
        boolean release = mode == ForwardMode.LEAN && !training;
        NDArray current = input;
        PairList<String, Block> children = getChildren();
        for (int i = first; i < children.size(); i++) {
            NDArray next = children.valueAt(i).forward(store, new NDList(current), training).singletonOrThrow();
            if (release && (current != input || inputIsOurs)) {
                current.close();
            }
            current = next;
        }
        return current;
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
