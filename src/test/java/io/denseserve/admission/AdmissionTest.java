package io.denseserve.admission;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.denseserve.config.DenseServeProperties;
import io.denseserve.failure.OverloadedException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

/**
 * The in-flight bound: admits up to queue + workers x batch, refuses beyond, and says so in its
 * gauge; decoding room; an image decoded past its deadline.
 */
class AdmissionTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @Test
    void admitsUpToTheBoundThenRefusesUntilAPermitComesBack() {
        DenseServeProperties properties = new DenseServeProperties();
        properties.getInference().setQueueCapacity(3);
        properties.getInference().setWorkers(2);
        properties.getInference().setBatchSize(2);
        Admission admission = new Admission(properties, registry);
        for (int i = 0; i < 3 + 2 * 2; i++) {
            assertThat(admission.saturated()).as("after %d admitted", i).isFalse();
            admission.admit();
        }
        assertThat(admission.saturated()).isTrue();
        assertThat(inFlight()).isEqualTo(7);
        assertThatThrownBy(admission::admit).isInstanceOf(OverloadedException.class).hasMessageContaining("(7)");
        assertThat(inFlight()).as("a refusal holds nothing").isEqualTo(7);

        admission.release();
        assertThat(admission.saturated()).isFalse();
        admission.admit();
        assertThat(inFlight()).isEqualTo(7);
    }

    @Test
    void decodeLeasesDrawOnTheConfiguredPixelBudget() {
        DenseServeProperties properties = new DenseServeProperties();
        properties.getLimits().setDecodePixelBudget(1_000_000);
        Admission admission = new Admission(properties, registry);
        assertThat(freePixels()).isEqualTo(1_000_000);
        try (DecodeBudget.Lease lease = admission.decodeLease(System.nanoTime() + 1_000_000_000L)) {
            lease.acquire(400_000);
            assertThat(freePixels()).isEqualTo(600_000);
        }
        assertThat(freePixels()).isEqualTo(1_000_000);
    }

    private double inFlight() {
        return registry.get("denseserve.requests.in.flight").gauge().value();
    }

    private double freePixels() {
        return registry.get("denseserve.decode.pixels.free").gauge().value();
    }

    @Test
    void aLargeImageDecodedIntoItsReserveIs503AndAnyImagePastItsDeadline504() {
        Admission admission = new Admission(new DenseServeProperties(), registry);
        long second = 1_000_000_000L;
        long inHalfASecond = System.nanoTime() + second / 2;
        assertThatThrownBy(() -> admission.checkDecodedInTime(DecodePace.LARGE, inHalfASecond, second))
                .isInstanceOf(OverloadedException.class).hasMessageContaining("retry shortly");
        admission.checkDecodedInTime(DecodePace.LARGE - 1, inHalfASecond, second);
        assertThatThrownBy(() -> admission.checkDecodedInTime(DecodePace.LARGE - 1, System.nanoTime() - 1, second))
                .isInstanceOf(io.denseserve.failure.DeadlineExceededException.class);
        admission.checkDecodedInTime(20_000_000, System.nanoTime() + 10 * second, second);
    }
}
