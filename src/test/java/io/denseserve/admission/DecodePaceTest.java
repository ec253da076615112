package io.denseserve.admission;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.denseserve.failure.OverloadedException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A large image is refused before decoding when, at the recent pace, it would outlast its time. */
class DecodePaceTest {

    static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    @Test
    void theRecentPaceDecidesWhetherALargeImageStillFitsItsTime() {
        DecodePace pace = new DecodePace(50);
        long twentyMegapixels = 20_000_000;
        assertThatCode(() -> pace.check(twentyMegapixels, 3 * SECOND)).as("1 s at the initial pace").doesNotThrowAnyException();
        for (int i = 0; i < 20; i++) {
            pace.record(twentyMegapixels, 4 * SECOND); // 200 ns a pixel under a burst
        }
        assertThat(pace.nanosPerPixel()).isCloseTo(200, org.assertj.core.data.Offset.offset(5.0));
        assertThatThrownBy(() -> pace.check(twentyMegapixels, 3 * SECOND)).isInstanceOf(OverloadedException.class)
                .hasMessageContaining("20.0-megapixel");
        assertThatCode(() -> pace.check(twentyMegapixels, 5 * SECOND)).doesNotThrowAnyException();
    }

    @Test
    void smallImagesAreNeitherMeasuredNorRefused() {
        DecodePace pace = new DecodePace(50);
        pace.record(640 * 480, 10 * SECOND);
        assertThat(pace.nanosPerPixel()).isEqualTo(50);
        assertThatCode(() -> pace.check(640 * 480, 0)).doesNotThrowAnyException();
    }
}
