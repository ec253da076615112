package io.denseserve.inference;

import io.denseserve.failure.DeadlineExceededException;
import io.denseserve.failure.InferenceFailedException;
import io.denseserve.failure.ModelNotReadyException;
import io.denseserve.failure.OverloadedException;
import io.denseserve.plan.FeatureMap;
import io.denseserve.plan.ForwardOutput;
import io.denseserve.plan.ForwardPass;
import io.denseserve.plan.InferencePlan;
import io.denseserve.plan.Softmax;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A pool of worker threads, each running one of the served {@link InferencePlan}'s {@link
 * ForwardPass}es at a time (passes are not thread-safe), fed by one bounded queue and batching
 * dynamically through {@link BatchCollector}. Where the {@link WorkerLayout} widens, the two workers
 * share one more pass across all the CPUs and {@link CoreLanes} decides, batch by batch, which runs it.
 *
 * <p>A model without traffic holds no thread: a worker that finds no job for {@code idleTimeout}
 * ends, leaving its pass to the next, and a job queued while fewer workers than the layout's run
 * starts one. The pass is told it is {@link ForwardPass#idle idle} as its worker leaves, the pass
 * across all the CPUs as the last worker leaves, so that an engine frees what it holds between
 * runs (ONNX Runtime's pool threads) until its next batch. A plan whose passes keep per-thread
 * settings re-applies them on whichever thread runs a pass next ({@link ForwardPass#forward} of
 * such a plan).
 *
 * <p>Admission control happens at {@link #submit}: a full queue throws {@link
 * OverloadedException} at once instead of letting latency grow without bound. A job whose deadline
 * passed while queued is dropped before it costs a forward pass. A failing forward pass fails only
 * its own batch; the worker carries on with the next.
 */
public final class BatchingPredictor implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(BatchingPredictor.class);
    private static final long IDLE_WAIT_MILLIS = 50;

    private final InferencePlan plan;
    private final WorkerLayout layout;
    /** Present where the layout widens. */
    private final CoreLanes lanes;
    private ForwardPass widePass;
    private int warmUpBatchSize;
    private final CountDownLatch warmedUp;
    private volatile RuntimeException warmUpFailure;
    private final int inputSize;
    private final BlockingQueue<InferenceJob> queue;
    private final BatchCollector collector;
    private final InferenceMetrics metrics;
    private final long idleTimeoutNanos;
    /** Open passes no worker holds: a worker takes one as it starts and leaves it as it ends. */
    private final Deque<ForwardPass> freePasses = new ConcurrentLinkedDeque<>();
    /** Guards {@link #workers}, {@link #liveWorkers} and {@link #started}. */
    private final Object workersLock = new Object();
    private final Set<Thread> workers = new HashSet<>();
    /** Workers holding or about to take a pass; read without the lock on every submit. */
    private volatile int liveWorkers;
    private boolean started;
    private volatile boolean running = true;

    /**
     * A predictor that opens its passes in {@link #start}.
     *
     * @param inputSize floats in one preprocessed image
     * @param idleTimeout how long a worker waits for a job before it ends
     */
    public BatchingPredictor(InferencePlan plan, int inputSize, WorkerLayout layout, int batchSize,
            Duration maxBatchDelay, int queueCapacity, Duration idleTimeout, InferenceMetrics metrics) {
        this.plan = plan;
        this.layout = layout;
        this.lanes = layout.widens() ? new CoreLanes() : null;
        this.inputSize = inputSize;
        this.queue = new ArrayBlockingQueue<>(queueCapacity);
        this.collector = new BatchCollector(batchSize, maxBatchDelay.toNanos());
        this.metrics = metrics;
        this.idleTimeoutNanos = idleTimeout.toNanos();
        this.warmedUp = new CountDownLatch(layout.workers());
    }

    /** Starts the workers without warming their passes (tests). */
    public void start() {
        start(0);
    }

    /**
     * Starts the workers and returns once every forward pass they will use (one per worker and,
     * with lanes, the pass across all the CPUs) has run every batch size from 1 to {@code
     * warmUpBatchSize}, so that each pass's engine has chosen its kernels and planned its memory
     * for each shape before the first real request. Each worker opens and warms its pass on its own
     * thread, side by side.
     *
     * @throws IllegalStateException if a warm-up forward pass fails; the workers then stop
     */
    public void start(int warmUpBatchSize) {
        this.warmUpBatchSize = warmUpBatchSize;
        if (lanes != null) {
            widePass = plan.passSettingsPerThread()
                    ? new PinnedPass(() -> plan.openAlone(layout.wideThreads()), "inference-wide " + metrics.label(),
                            Duration.ofNanos(idleTimeoutNanos))
                    : plan.openAlone(layout.wideThreads());
            warm(widePass);
        }
        synchronized (workersLock) {
            started = true;
            for (int i = 0; i < layout.workers(); i++) {
                startWorker(true);
            }
        }
        try {
            warmedUp.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while the workers warmed up", e);
        }
        RuntimeException failure = warmUpFailure;
        if (failure != null) {
            running = false;
            throw failure;
        }
    }

    private void warm(ForwardPass pass) {
        try {
            for (int n = 1; n <= warmUpBatchSize; n++) {
                pass.probabilities(new float[n][inputSize]);
            }
        } catch (RuntimeException e) {
            throw new IllegalStateException("warm-up forward pass failed: " + e.getMessage(), e);
        }
    }

    /** Requests waiting for a batch. */
    public int queueDepth() {
        return queue.size();
    }

    /**
     * Queues one preprocessed image.
     *
     * @param deadlineNanos a {@link System#nanoTime()} after which the result is no longer wanted
     * @throws OverloadedException at once if the queue is full
     */
    public CompletableFuture<InferenceResult> submit(float[] input, long deadlineNanos) {
        return submit(input, false, deadlineNanos);
    }

    /**
     * Queues one preprocessed image, asking for its feature maps as well when {@code features}: its
     * batch then returns them from the same forward pass.
     */
    public CompletableFuture<InferenceResult> submit(float[] input, boolean features, long deadlineNanos) {
        if (!running) {
            throw new ModelNotReadyException("the model is shutting down");
        }
        InferenceJob job = new InferenceJob(input, features, System.nanoTime(), deadlineNanos);
        if (!queue.offer(job)) {
            throw new OverloadedException("the inference queue is full (" + queue.size() + " waiting); retry shortly");
        }
        if (liveWorkers < layout.workers()) {
            synchronized (workersLock) {
                while (running && started && liveWorkers < layout.workers()) {
                    startWorker(false);
                }
            }
        }
        if (!running && queue.remove(job)) { // closed meanwhile, and no worker took it
            throw new ModelNotReadyException("the model is shutting down");
        }
        return job.result;
    }

    private List<Thread> workersLeft() {
        synchronized (workersLock) {
            return new ArrayList<>(workers);
        }
    }

    /** Worker threads running now (a model without traffic has none once they have idled out). */
    public int workerThreads() {
        return liveWorkers;
    }

    /** @param opening whether the worker opens and warms a pass of its own (at start) or takes a free one */
    private void startWorker(boolean opening) {
        liveWorkers++;
        Thread t = new Thread(() -> work(opening), "inference-worker " + metrics.label());
        t.setDaemon(true);
        workers.add(t);
        t.start();
    }

    /** This worker's pass, opened and warmed on its own thread; closed again if warming fails. */
    private ForwardPass openWarmed() {
        ForwardPass pass = plan.open(layout.threads());
        try {
            warm(pass);
            return pass;
        } catch (RuntimeException e) {
            pass.close();
            throw e;
        }
    }

    private void work(boolean opening) {
        ForwardPass pass;
        if (opening) {
            try {
                pass = openWarmed();
            } catch (RuntimeException e) {
                warmUpFailure = e instanceof IllegalStateException ? e
                        : new IllegalStateException("a worker's forward pass failed to open: " + e.getMessage(), e);
                leave(null);
                return;
            } finally {
                warmedUp.countDown();
            }
        } else {
            pass = freePasses.poll();
            if (pass == null) { // the idle worker it was started to replace took its pass back to drain the queue
                leave(null);
                return;
            }
        }
        boolean handedOver = false;
        try {
            long lastWork = System.nanoTime();
            while (running || !queue.isEmpty()) {
                if (lanes == null ? workAlone(pass) : workInLane(pass)) {
                    lastWork = System.nanoTime();
                } else if (running && System.nanoTime() - lastWork > idleTimeoutNanos && leave(pass)) {
                    handedOver = true;
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            if (!handedOver) {
                pass.close();
                leave(null);
            }
        }
    }

    /**
     * Ends this idle worker, its pass left for the next, unless a job arrived meanwhile that no
     * other worker will take: the submitter saw this worker still counted and started none. The
     * worker leaves {@link #workers} only once it ends, so that {@link #close} waits for it
     * whichever way it goes.
     *
     * @param pass null for a worker ending for good
     * @return whether the worker ends
     */
    private boolean leave(ForwardPass pass) {
        if (pass != null) {
            pass.idle();
            freePasses.push(pass);
        }
        synchronized (workersLock) {
            liveWorkers--; // before looking at the queue: a submitter offers first, then reads the count
            if (pass != null && !queue.isEmpty() && freePasses.remove(pass)) {
                liveWorkers++;
                return false;
            }
            workers.remove(Thread.currentThread());
            if (pass != null && liveWorkers == 0 && widePass != null) {
                widePass.idle(); // no worker runs it, and none starts until the lock is let go
            }
            return true;
        }
    }

    /** Collects one batch and runs it on this worker's pass; whether there was one. */
    private boolean workAlone(ForwardPass pass) throws InterruptedException {
        List<InferenceJob> batch = collector.next(queue, IDLE_WAIT_MILLIS);
        if (batch.isEmpty()) {
            return false;
        }
        run(pass, batch, () -> {});
        return true;
    }

    /**
     * Collects one batch and runs it in this worker's lane or, where it is the only work, across
     * all the CPUs; whether there was one.
     */
    private boolean workInLane(ForwardPass lane) throws InterruptedException {
        lanes.awaitFreeLane();
        List<InferenceJob> batch = collector.next(queue, IDLE_WAIT_MILLIS, lanes::holdsJobs);
        if (batch.isEmpty()) {
            return false;
        }
        CoreLanes.Grant grant = lanes.take(!queue.isEmpty());
        metrics.recordBatchWidth(grant == CoreLanes.Grant.ALL_CPUS);
        // The CPUs go back as soon as the forward pass returns, before its callers hear: a caller
        // that sends its next request at once must find them free, or that request takes a lane.
        AtomicBoolean released = new AtomicBoolean();
        Runnable release = () -> {
            if (released.compareAndSet(false, true)) {
                lanes.release(grant);
            }
        };
        try {
            run(grant == CoreLanes.Grant.ALL_CPUS ? widePass : lane, batch, release);
        } finally {
            release.run();
        }
        return true;
    }

    /** @param afterForward runs as soon as the forward pass has returned or thrown, before any result completes */
    private void run(ForwardPass pass, List<InferenceJob> collected, Runnable afterForward) {
        long start = System.nanoTime();
        List<InferenceJob> batch = new ArrayList<>(collected.size());
        for (InferenceJob job : collected) {
            if (job.result.isDone()) {
                continue; // the caller gave up (timed out or disconnected)
            }
            if (job.expiredAt(start)) {
                job.result.completeExceptionally(new DeadlineExceededException(
                        "the request's deadline passed while it was queued; it was dropped before inference"));
                continue;
            }
            batch.add(job);
        }
        if (batch.isEmpty()) {
            return;
        }
        float[][] inputs = new float[batch.size()][];
        boolean features = false;
        for (int i = 0; i < inputs.length; i++) {
            inputs[i] = batch.get(i).input;
            features |= batch.get(i).features;
            metrics.recordQueueWait(start - batch.get(i).enqueuedNanos);
        }
        try {
            ForwardOutput output;
            try {
                output = pass.forward(inputs, features);
            } finally {
                afterForward.run();
            }
            float[][] probabilities = Softmax.rows(output.logits());
            long inferenceNanos = System.nanoTime() - start;
            metrics.recordBatch(batch.size(), inferenceNanos);
            for (int i = 0; i < inputs.length; i++) {
                InferenceJob job = batch.get(i);
                FeatureMap maps = job.features ? output.features()[i] : null;
                job.result.complete(new InferenceResult(probabilities[i], maps, start - job.enqueuedNanos,
                        inferenceNanos, batch.size()));
            }
        } catch (Exception | OutOfMemoryError e) {
            LOG.error("forward pass of a batch of {} failed; failing that batch only", batch.size(), e);
            InferenceFailedException failure = new InferenceFailedException("inference failed for this batch", e);
            batch.forEach(job -> job.result.completeExceptionally(failure));
        }
    }

    /**
     * Stops accepting work, lets the workers finish what is queued, and waits for them.
     */
    @Override
    public void close() {
        synchronized (workersLock) {
            running = false;
            if (started && liveWorkers == 0 && !queue.isEmpty()) {
                startWorker(false); // to answer what was queued as the last worker left
            }
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        for (List<Thread> left = workersLeft(); !left.isEmpty() && System.nanoTime() < deadline; left = workersLeft()) {
            for (Thread t : left) {
                try {
                    t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
        for (ForwardPass pass; (pass = freePasses.poll()) != null; ) {
            pass.close();
        }
        if (widePass != null) {
            widePass.close();
        }
    }
}
