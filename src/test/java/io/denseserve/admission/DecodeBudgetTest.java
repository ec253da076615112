package io.denseserve.admission;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.denseserve.failure.OverloadedException;
import org.junit.jupiter.api.Test;

class DecodeBudgetTest {

    private static long in(long millis) {
        return System.nanoTime() + millis * 1_000_000;
    }

    @Test
    void smallImagesShareTheBudgetAndALargeOneWaitsThenIsRefused() {
        DecodeBudget budget = new DecodeBudget(1_000);
        try (DecodeBudget.Lease a = budget.lease(in(0)); DecodeBudget.Lease b = budget.lease(in(0))) {
            a.acquire(400);
            b.acquire(400);
            assertThat(budget.available()).isEqualTo(200);
            DecodeBudget.Lease large = budget.lease(in(50));
            long start = System.nanoTime();
            assertThatThrownBy(() -> large.acquire(500)).isInstanceOf(OverloadedException.class)
                    .hasMessageContaining("too many pixels");
            assertThat(System.nanoTime() - start).as("it waited for room until its time was up").isGreaterThanOrEqualTo(40_000_000L);
            large.close();
            assertThat(budget.available()).as("a refused lease holds nothing").isEqualTo(200);
        }
        assertThat(budget.available()).as("closing gives the pixels back").isEqualTo(1_000);
    }

    @Test
    void theSameImageAskedTwiceHoldsItsPixelsOnceAndAnImageAboveTheBudgetTakesItAll() {
        DecodeBudget budget = new DecodeBudget(1_000);
        try (DecodeBudget.Lease lease = budget.lease(in(0))) {
            lease.acquire(300);
            lease.acquire(300); // the fast path gave up and the general decoder reads the header again
            assertThat(budget.available()).isEqualTo(700);
        }
        try (DecodeBudget.Lease huge = budget.lease(in(0))) {
            huge.acquire(5_000);
            assertThat(budget.available()).isZero();
        }
        assertThat(budget.available()).isEqualTo(1_000);
    }

    @Test
    void aSmallImageDecodesWhileLargeOnesFillTheBudget() {
        DecodeBudget budget = new DecodeBudget(10_000); // small: at most 100 pixels, lane of 1,000
        try (DecodeBudget.Lease large = budget.lease(in(0))) {
            large.acquire(10_000);
            for (int i = 0; i < 10; i++) {
                DecodeBudget.Lease small = budget.lease(in(0));
                small.acquire(100); // would throw without the lane: the budget is full
            }
            assertThatThrownBy(() -> budget.lease(in(0)).acquire(100)).as("the lane is bounded too")
                    .isInstanceOf(OverloadedException.class);
        }
    }

    @Test
    void roomFreedWhileWaitingIsTaken() throws Exception {
        DecodeBudget budget = new DecodeBudget(1_000);
        DecodeBudget.Lease first = budget.lease(in(0));
        first.acquire(1_000);
        Thread release = new Thread(() -> {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                return;
            }
            first.close();
        });
        release.start();
        try (DecodeBudget.Lease waiting = budget.lease(in(5_000))) {
            waiting.acquire(600);
            assertThat(budget.available()).isEqualTo(400);
        }
        release.join();
    }
}
