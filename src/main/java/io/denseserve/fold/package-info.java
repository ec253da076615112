/**
 * Exact rewrites of a trained DenseNet's weights for inference, in plain Java double precision: a
 * batch norm as a per-channel affine map ({@link io.denseserve.fold.ChannelAffine}), folded into
 * the convolution before it ({@link io.denseserve.fold.ChannelAffine#after}), or, with its ReLU,
 * into the 1x1 convolution after it as a per-channel clamp ({@link io.denseserve.fold.ClampedInput}).
 * {@link io.denseserve.fold.FoldedDenseNet} is a loaded network with these applied, as every
 * inference plan is written from it, whatever engine runs it.
 */
package io.denseserve.fold;
