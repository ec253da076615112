package io.denseserve.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.function.UnaryOperator;

/**
 * A parameter-free step (ReLU, pooling) with a known output shape.
 *
 * <p>Why not DJL's {@code LambdaBlock}: it infers output shapes by running the lambda on zeros,
 * which costs a real forward pass at initialisation.
 */
final class Op extends AbstractBlock {

    private final UnaryOperator<NDArray> function;
    private final UnaryOperator<Shape> shape;

    private Op(UnaryOperator<NDArray> function, UnaryOperator<Shape> shape) {
        this.function = function;
        this.shape = shape;
    }

    static Op relu() {
        return new Op(Activation::relu, s -> s);
    }

    /** torchvision's {@code pool0}: {@code MaxPool2d(kernel_size=3, stride=2, padding=1)}. */
    static Op maxPool3x3Stride2() {
        return new Op(
                x -> Pool.maxPool2d(x, new Shape(3, 3), new Shape(2, 2), new Shape(1, 1), false),
                s -> halve(s, 3, 2, 1));
    }

    /** A transition's {@code pool}: {@code AvgPool2d(kernel_size=2, stride=2)}. */
    static Op avgPool2x2() {
        return new Op(
                x -> Pool.avgPool2d(x, new Shape(2, 2), new Shape(2, 2), new Shape(0, 0), false, true),
                s -> halve(s, 2, 2, 0));
    }

    private static Shape halve(Shape s, int kernel, int stride, int pad) {
        return new Shape(s.get(0), s.get(1),
                (s.get(2) + 2 * pad - kernel) / stride + 1,
                (s.get(3) + 2 * pad - kernel) / stride + 1);
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        return new NDList(function.apply(inputs.singletonOrThrow()));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {shape.apply(inputShapes[0])};
    }
}
