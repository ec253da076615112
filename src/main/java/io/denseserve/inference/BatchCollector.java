package io.denseserve.inference;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The batching policy, in one place. Only a free worker collects: it waits for a first job, takes
 * every job queued behind it up to {@code batchSize}, then keeps taking jobs until the batch is full
 * or {@code maxBatchDelay} has passed since that first job was <em>enqueued</em> (not since we began
 * waiting), so a job never waits for batching longer than the delay. With no delay (the default) a
 * lone request runs at once, and under load batches are what queued while the workers were busy.
 */
final class BatchCollector {

    private final int batchSize;
    private final long maxDelayNanos;

    BatchCollector(int batchSize, long maxDelayNanos) {
        this.batchSize = batchSize;
        this.maxDelayNanos = maxDelayNanos;
    }

    /**
     * Collects the next batch.
     *
     * @param idleWaitMillis how long to wait for a first job before returning an empty batch (lets
     *     a worker notice shutdown)
     */
    List<InferenceJob> next(BlockingQueue<InferenceJob> queue, long idleWaitMillis) throws InterruptedException {
        return next(queue, idleWaitMillis, () -> {});
    }

    /** As {@link #next(BlockingQueue, long)}, running {@code onFirstJob} as soon as the first job is taken. */
    List<InferenceJob> next(BlockingQueue<InferenceJob> queue, long idleWaitMillis, Runnable onFirstJob)
            throws InterruptedException {
        InferenceJob first = queue.poll(idleWaitMillis, TimeUnit.MILLISECONDS);
        if (first == null) {
            return List.of();
        }
        onFirstJob.run();
        List<InferenceJob> batch = new ArrayList<>(batchSize);
        batch.add(first);
        long flushAt = first.enqueuedNanos + maxDelayNanos;
        queue.drainTo(batch, batchSize - batch.size());
        while (batch.size() < batchSize) {
            long wait = flushAt - System.nanoTime();
            if (wait <= 0) {
                break;
            }
            InferenceJob next = queue.poll(wait, TimeUnit.NANOSECONDS);
            if (next == null) {
                break;
            }
            batch.add(next);
            queue.drainTo(batch, batchSize - batch.size());
        }
        return batch;
    }
}
