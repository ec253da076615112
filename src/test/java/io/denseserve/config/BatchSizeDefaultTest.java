package io.denseserve.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.denseserve.config.DenseServeProperties.PrecisionChoice;
import org.junit.jupiter.api.Test;

/** An unset batch size follows the precision; a set one is kept, and bounds admission either way. */
class BatchSizeDefaultTest {

    @Test
    void unsetItIsTwoInFp32AndEightInBf16() {
        DenseServeProperties.Inference inference = new DenseServeProperties().getInference();
        assertThat(inference.getBatchSize()).isEqualTo(2);
        inference.setPrecision(PrecisionChoice.BF16);
        assertThat(inference.getBatchSize()).isEqualTo(8);
        assertThat(inference.maxInFlight()).isEqualTo(inference.getQueueCapacity() + 8);
    }

    @Test
    void aConfiguredSizeWinsInEitherPrecision() {
        DenseServeProperties.Inference inference = new DenseServeProperties().getInference();
        inference.setBatchSize(4);
        assertThat(inference.getBatchSize()).isEqualTo(4);
        inference.setPrecision(PrecisionChoice.BF16);
        assertThat(inference.getBatchSize()).isEqualTo(4);
    }
}
