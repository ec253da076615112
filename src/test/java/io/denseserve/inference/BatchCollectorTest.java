package io.denseserve.inference;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class BatchCollectorTest {

    static InferenceJob job(long enqueuedNanos) {
        return new InferenceJob(new float[1], false, enqueuedNanos, Long.MAX_VALUE);
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
        Thread late = new Thread(() -> {
            try {
                Thread.sleep(30);
                queue.add(job(System.nanoTime()));
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
        });
        late.start();
        List<InferenceJob> batch = new BatchCollector(8, TimeUnit.MILLISECONDS.toNanos(300)).next(queue, 100);
        late.join();
        assertThat(batch).hasSize(2);
    }

    @Test
    void returnsEmptyWhenIdle() throws Exception {
        assertThat(new BatchCollector(8, 1000).next(new ArrayBlockingQueue<>(1), 10)).isEmpty();
    }
}
