package io.denseserve.fold;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

class ClampedInputTest {

    /** Scales of every kind the rewrite distinguishes: positive, negative, zero, and one so small its bound overflows. */
    private static final double[] SCALES = {0.8, -0.3, 0.0, 1e-40, 1.7, -2.2};
    private static final double[] SHIFTS = {0.2, 0.5, -0.4, 0.9, -1.1, 0.05};

    @Test
    void clampAndFoldedConvolutionEqualBatchNormReluConvolutionForEverySign() {
        ChannelAffine norm = new ChannelAffine(SCALES, SHIFTS);
        Random random = new Random(7);
        int outputs = 3;
        int inputs = SCALES.length;
        double[] weight = new double[outputs * inputs];
        double[] bias = new double[outputs];
        for (int i = 0; i < weight.length; i++) {
            weight[i] = random.nextGaussian();
        }
        for (int o = 0; o < outputs; o++) {
            bias[o] = random.nextGaussian();
        }
        Kernel conv = new Kernel(new long[] {outputs, inputs, 1, 1}, weight, bias);
        ClampedInput folded = ClampedInput.of(norm, conv);

        assertThat(java.util.stream.IntStream.range(0, inputs).filter(i -> folded.upper()[i] < Double.POSITIVE_INFINITY))
                .as("channels with an upper bound: the negative scales").containsExactly(1, 5);
        for (int trial = 0; trial < 1000; trial++) {
            double[] x = new double[inputs];
            for (int i = 0; i < inputs; i++) {
                x[i] = random.nextGaussian() * 3;
            }
            for (int o = 0; o < outputs; o++) {
                double expected = bias[o];
                double actual = folded.conv().bias()[o];
                for (int i = 0; i < inputs; i++) {
                    expected += weight[o * inputs + i] * Math.max(SCALES[i] * x[i] + SHIFTS[i], 0);
                    double clamped = Math.min(Math.max(x[i], folded.lower()[i]), folded.upper()[i]);
                    actual += folded.conv().weight()[o * inputs + i] * clamped;
                }
                assertThat(actual).isCloseTo(expected, within(1e-9));
            }
        }
    }

    @Test
    void eachBoundIsOnTheSideTheScaleSelects() {
        ClampedInput folded = ClampedInput.of(new ChannelAffine(SCALES, SHIFTS),
                new Kernel(new long[] {1, SCALES.length}, new double[SCALES.length], new double[1]));

        assertThat(folded.lower()[0]).isEqualTo(-0.25);
        assertThat(folded.upper()[0]).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(folded.lower()[1]).isEqualTo(Double.NEGATIVE_INFINITY);
        assertThat(folded.upper()[1]).isCloseTo(0.5 / 0.3, within(1e-12));
        assertThat(folded.lower()[2]).isEqualTo(Double.NEGATIVE_INFINITY);
        assertThat(folded.upper()[3]).isEqualTo(Double.POSITIVE_INFINITY);
    }

    @Test
    void refusesAConvolutionWiderThanOnePixel() {
        Kernel conv3x3 = new Kernel(new long[] {1, SCALES.length, 3, 3}, new double[SCALES.length * 9], new double[1]);

        assertThatThrownBy(() -> ClampedInput.of(new ChannelAffine(SCALES, SHIFTS), conv3x3))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
