/**
 * Class activation maps (Zhou et al., "Learning Deep Features for Discriminative Localization",
 * CVPR 2016): where in the image a class's evidence lies. A DenseNet ends in global average pooling
 * and one linear layer, so a class's logit is its bias plus the mean over positions of the last
 * feature maps weighted by the class's row of the classifier; that weighted sum, kept per position,
 * is the map. It comes from the forward pass that classified the image, at the cost of one dot
 * product per position.
 */
package io.denseserve.explain;
