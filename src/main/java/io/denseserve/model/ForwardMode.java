package io.denseserve.model;

/**
 * How a dense block holds its growing feature map at inference time.
 *
 * <p>Training always uses {@link #CONCAT}: autograd must see each layer's input as its own tensor.
 */
public enum ForwardMode {
    /**
     * One preallocated buffer per dense block; layer i reads a view of the first channels and writes
     * its k new channels after them, and every intermediate is closed once consumed (Pleiss et al.,
     * "Memory-Efficient Implementation of DenseNets", applied to inference).
     */
    LEAN,
    /**
     * torchvision's literal {@code torch.cat(features, 1)} before every layer, with intermediates left
     * to the NDManager as plain DJL code does: O(L²) memory per block until the batch ends.
     */
    CONCAT
}
