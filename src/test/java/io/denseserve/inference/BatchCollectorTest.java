package io.denseserve.inference;

import static org.assertj.core.api.Assertions.assertThat;

import io.denseserve.config.DenseServeProperties;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class BatchCollectorTest {

    static InferenceJob job(long enqueuedNanos) {
        return new InferenceJob(new float[1], false, enqueuedNanos, Long.MAX_VALUE);
    }

    /** Started: adds one job to {@code queue} after {@code millis}. */
    static Thread arrivesAfter(BlockingQueue<InferenceJob> queue, long millis) {
        Thread late = new Thread(() -> {
            try {
                Thread.sleep(millis);
                queue.add(job(System.nanoTime()));
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
        });
        late.start();
        return late;
    }

    @Test
    void flushesAtBatchSizeWithoutWaiting() throws Exception {
        BlockingQueue<InferenceJob> queue = new ArrayBlockingQueue<>(10);
        for (int i = 0; i < 5; i++) {
            queue.add(job(System.nanoTime()));
        }
        long start = System.nanoTime();
        List<InferenceJob> batch = new BatchCollector(4, TimeUnit.SECONDS.toNanos(10)).next(queue, 100);
        assertThat(batch).hasSize(4);
        assertThat(System.nanoTime() - start).isLessThan(TimeUnit.SECONDS.toNanos(1));
        assertThat(queue).hasSize(1);
    }

    @Test
    void delayCountsFromTheFirstJobsArrivalNotFromWhenTheWorkerLooked() throws Exception {
        BlockingQueue<InferenceJob> queue = new ArrayBlockingQueue<>(10);
        queue.add(job(System.nanoTime() - TimeUnit.MILLISECONDS.toNanos(500))); // waited 500 ms already
        long start = System.nanoTime();
        List<InferenceJob> batch = new BatchCollector(8, TimeUnit.MILLISECONDS.toNanos(200)).next(queue, 100);
        assertThat(batch).hasSize(1);
        assertThat(System.nanoTime() - start).isLessThan(TimeUnit.MILLISECONDS.toNanos(100));
    }

    @Test
    void waitsUpToTheDelayForMoreJobs() throws Exception {
        BlockingQueue<InferenceJob> queue = new ArrayBlockingQueue<>(10);
        queue.add(job(System.nanoTime()));
        Thread late = arrivesAfter(queue, 30);
        List<InferenceJob> batch = new BatchCollector(8, TimeUnit.MILLISECONDS.toNanos(300)).next(queue, 100);
        late.join();
        assertThat(batch).hasSize(2);
    }

    @Test
    void withNoDelayALoneJobIsNotHeldForOneThatArrivesLater() throws Exception {
        BlockingQueue<InferenceJob> queue = new ArrayBlockingQueue<>(10);
        queue.add(job(System.nanoTime()));
        Thread late = arrivesAfter(queue, 200);
        List<InferenceJob> batch = new BatchCollector(8, 0).next(queue, 100);
        late.join();
        assertThat(batch).hasSize(1);
        assertThat(queue).as("the later job waits for the next batch").hasSize(1);
    }

    @Test
    void withNoDelayTakesEveryJobQueuedWhileTheWorkerWasBusy() throws Exception {
        BlockingQueue<InferenceJob> queue = new ArrayBlockingQueue<>(10);
        for (int i = 0; i < 3; i++) {
            queue.add(job(System.nanoTime()));
        }
        assertThat(new BatchCollector(8, 0).next(queue, 100)).hasSize(3);
    }

    @Test
    void aLoneRequestIsNotHeldByDefault() {
        assertThat(new DenseServeProperties().getInference().getMaxBatchDelay()).isZero();
    }

    @Test
    void returnsEmptyWhenIdle() throws Exception {
        assertThat(new BatchCollector(8, 1000).next(new ArrayBlockingQueue<>(1), 10)).isEmpty();
    }
}
