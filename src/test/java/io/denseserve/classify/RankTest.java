package io.denseserve.classify;

import static org.assertj.core.api.Assertions.assertThat;

import io.denseserve.testing.TopK;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The top k agree with a stable sort by descending probability, ties, negatives and zeros included. */
class RankTest {

    @Test
    void theTopKAreAStableDescendingSortsFirstK() {
        Random random = new Random(7);
        for (int round = 0; round < 200; round++) {
            int classes = 1 + random.nextInt(1000);
            float[] p = new float[classes];
            for (int i = 0; i < classes; i++) {
                // Few distinct values, so that ties are common; some negative, some -0.0 and 0.0.
                p[i] = switch (random.nextInt(4)) {
                    case 0 -> random.nextInt(5) / 4f;
                    case 1 -> -random.nextInt(5) / 4f;
                    case 2 -> random.nextBoolean() ? -0.0f : 0.0f;
                    default -> random.nextFloat();
                };
            }
            List<String> labels = IntStream.range(0, classes).mapToObj(i -> "c" + i).toList();
            int k = 1 + random.nextInt(classes + 2);
            int[] ranked = ClassificationService.rank(p, labels, k).stream().mapToInt(Prediction::index).toArray();
            assertThat(ranked).containsExactly(TopK.of(p, Math.min(k, classes)));
        }
    }
}
