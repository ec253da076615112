package io.denseserve.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.denseserve.plan.ForwardOutput;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Lanes on 2 CPUs: a batch that is the only work runs on the pass across both; under a backlog
 * the two one-CPU lanes run side by side; the threads running never outnumber the CPUs; every pass
 * is warmed before the predictor starts taking work.
 */
class CoreLanesTest {

    private static final int CPUS = 2;

    /** Records the threads each running pass uses; a forward pass takes {@code millis}. */
    static class CountingPlan extends StubPlan {
        final AtomicInteger threadsRunning = new AtomicInteger();
        final AtomicInteger mostThreadsRunning = new AtomicInteger();
        final AtomicInteger mostLanesSideBySide = new AtomicInteger();
        final AtomicInteger lanesRunning = new AtomicInteger();
        final List<Integer> threadsPerBatch = Collections.synchronizedList(new ArrayList<>());
        /** Per pass opened, the batch sizes it ran. */
        final List<List<Integer>> batchSizesPerPass = Collections.synchronizedList(new ArrayList<>());
        private final long millis;
        private final boolean settingsPerThread;

        CountingPlan(long millis) {
            this(millis, false);
        }

        /** @param settingsPerThread what {@link #passSettingsPerThread} answers (libtorch's: true) */
        CountingPlan(long millis, boolean settingsPerThread) {
            this.millis = millis;
            this.settingsPerThread = settingsPerThread;
        }

        @Override
        public boolean passSettingsPerThread() {
            return settingsPerThread;
        }

        @Override
        protected Forward opened(int threads) {
            List<Integer> sizes = new ArrayList<>();
            batchSizesPerPass.add(sizes);
            return (images, features) -> {
                sizes.add(images.length);
                threadsPerBatch.add(threads);
                mostThreadsRunning.accumulateAndGet(threadsRunning.addAndGet(threads), Math::max);
                if (threads == 1) {
                    mostLanesSideBySide.accumulateAndGet(lanesRunning.incrementAndGet(), Math::max);
                }
                try {
                    Thread.sleep(millis);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    threadsRunning.addAndGet(-threads);
                    if (threads == 1) {
                        lanesRunning.decrementAndGet();
                    }
                }
                return new ForwardOutput(images, null);
            };
        }
    }

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private BatchingPredictor predictor;

    @AfterEach
    void close() {
        if (predictor != null) {
            predictor.close();
        }
    }

    private BatchingPredictor lanes(CountingPlan plan) {
        predictor = new BatchingPredictor(plan, 4, WorkerLayout.lanes(CPUS), 4, Duration.ofMillis(2), 256,
                Duration.ofSeconds(30), new InferenceMetrics(registry, "lanes", "1", 4, () -> 0));
        predictor.start();
        return predictor;
    }

    private double batches(String width) {
        return registry.get("denseserve.lane.batches").tag("width", width).counter().count();
    }

    @Test
    void requestsOneAtATimeRunAcrossBothCpus() throws Exception {
        CountingPlan plan = new CountingPlan(5);
        BatchingPredictor p = lanes(plan);
        for (int i = 0; i < 20; i++) {
            p.submit(new float[4], System.nanoTime() + TimeUnit.SECONDS.toNanos(5)).get(5, TimeUnit.SECONDS);
        }
        assertThat(plan.threadsPerBatch).hasSize(20).containsOnly(CPUS);
        assertThat(batches("all_cpus")).isEqualTo(20);
        assertThat(batches("one_lane")).isZero();
    }

    @Test
    void aBacklogRunsInBothLanesSideBySideAndNeverOversubscribes() throws Exception {
        CountingPlan plan = new CountingPlan(10);
        BatchingPredictor p = lanes(plan);
        List<CompletableFuture<InferenceResult>> results = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            results.add(p.submit(new float[4], System.nanoTime() + TimeUnit.SECONDS.toNanos(30)));
        }
        for (CompletableFuture<InferenceResult> r : results) {
            r.get(30, TimeUnit.SECONDS);
        }
        assertThat(plan.mostThreadsRunning.get()).as("threads running at once").isLessThanOrEqualTo(CPUS);
        assertThat(plan.mostLanesSideBySide.get()).as("one-CPU lanes running at once").isEqualTo(2);
        assertThat(batches("one_lane")).as("batches in one lane").isGreaterThanOrEqualTo(40);
        assertThat(batches("all_cpus") + batches("one_lane")).isEqualTo(plan.threadsPerBatch.size());
    }

    @Test
    void aPassWithSettingsPerThreadRunsOnOneThreadWhicheverWorkerIsGrantedIt() throws Exception {
        List<String> elsewhere = Collections.synchronizedList(new ArrayList<>());
        CountingPlan plan = new CountingPlan(2, true) {
            @Override
            protected Forward opened(int threads) {
                Thread opener = Thread.currentThread();
                Forward counted = super.opened(threads);
                return (images, features) -> {
                    if (Thread.currentThread() != opener) {
                        elsewhere.add(threads + " threads, opened on " + opener.getName() + ", run on "
                                + Thread.currentThread().getName());
                    }
                    return counted.forward(images, features);
                };
            }
        };
        BatchingPredictor p = lanes(plan);
        for (int i = 0; i < 10; i++) {
            p.submit(new float[4], System.nanoTime() + TimeUnit.SECONDS.toNanos(5)).get(5, TimeUnit.SECONDS);
        }
        List<CompletableFuture<InferenceResult>> results = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            results.add(p.submit(new float[4], System.nanoTime() + TimeUnit.SECONDS.toNanos(30)));
        }
        for (CompletableFuture<InferenceResult> r : results) {
            r.get(30, TimeUnit.SECONDS);
        }
        assertThat(batches("all_cpus")).as("batches across both CPUs").isGreaterThanOrEqualTo(10);
        assertThat(batches("one_lane")).as("batches in one lane").isPositive();
        assertThat(elsewhere).as("passes run off the thread that opened them").isEmpty();
        assertThat(plan.mostThreadsRunning.get()).as("threads running at once").isLessThanOrEqualTo(CPUS);
    }

    @Test
    void withoutTrafficTheLanesAndThePassAcrossAllCpusHoldNoThread() throws Exception {
        List<String> misuse = Collections.synchronizedList(new ArrayList<>());
        // per pass opened: how often it was told it is idle, and whether it is now
        List<AtomicInteger> idles = Collections.synchronizedList(new ArrayList<>());
        List<AtomicBoolean> idleNow = Collections.synchronizedList(new ArrayList<>());
        CountingPlan plan = new CountingPlan(1, true) {
            @Override
            protected Forward opened(int threads) {
                Forward counted = super.opened(threads);
                AtomicInteger told = new AtomicInteger();
                AtomicBoolean idle = new AtomicBoolean();
                AtomicBoolean running = new AtomicBoolean();
                idles.add(told);
                idleNow.add(idle);
                return new Forward() {
                    @Override
                    public ForwardOutput forward(float[][] images, boolean features) {
                        running.set(true);
                        idle.set(false);
                        try {
                            return counted.forward(images, features);
                        } finally {
                            running.set(false);
                        }
                    }

                    @Override
                    public void idle() {
                        if (running.get()) {
                            misuse.add("a pass of " + threads + " threads was told it is idle while it ran");
                        }
                        told.incrementAndGet();
                        idle.set(true);
                    }
                };
            }
        };
        predictor = new BatchingPredictor(plan, 4, WorkerLayout.lanes(CPUS), 4, Duration.ofMillis(2), 32,
                Duration.ofMillis(200), new InferenceMetrics(registry, "quiet", "1", 4, () -> 0));
        predictor.start(1);
        predictor.submit(new float[4], System.nanoTime() + TimeUnit.SECONDS.toNanos(5)).get(5, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(10)).until(() -> BatchingPredictorTest.threadsOf("quiet:1") == 0);
        assertThat(idleNow).as("the passes, each lane's and the one across both CPUs, idle").hasSize(3)
                .allSatisfy(idle -> assertThat(idle).isTrue());

        List<CompletableFuture<InferenceResult>> results = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            results.add(predictor.submit(new float[4], System.nanoTime() + TimeUnit.SECONDS.toNanos(30)));
        }
        for (CompletableFuture<InferenceResult> r : results) {
            r.get(30, TimeUnit.SECONDS);
        }
        predictor.submit(new float[4], System.nanoTime() + TimeUnit.SECONDS.toNanos(5)).get(5, TimeUnit.SECONDS);
        assertThat(batches("all_cpus")).as("batches across both CPUs").isGreaterThanOrEqualTo(2);
        assertThat(plan.mostThreadsRunning.get()).as("threads running at once").isLessThanOrEqualTo(CPUS);
        await().atMost(Duration.ofSeconds(10)).until(() -> BatchingPredictorTest.threadsOf("quiet:1") == 0);
        assertThat(idleNow).as("the passes idle again").hasSize(3).allSatisfy(idle -> assertThat(idle).isTrue());
        assertThat(idles.get(0).get()).as("times the pass across both CPUs (opened first) was told, running between")
                .isGreaterThanOrEqualTo(2);
        assertThat(misuse).isEmpty();
    }

    @Test
    void startReturnsOnceEveryPassTheWorkersUseRanEveryBatchSize() {
        CountingPlan plan = new CountingPlan(0);
        predictor = new BatchingPredictor(plan, 4, WorkerLayout.lanes(CPUS), 4, Duration.ofMillis(2), 16,
                Duration.ofSeconds(30), new InferenceMetrics(registry, "lanes", "1", 4, () -> 0));
        predictor.start(4);
        assertThat(plan.batchSizesPerPass).as("the pass across both CPUs and each lane's").hasSize(3)
                .allSatisfy(sizes -> assertThat(sizes).containsExactly(1, 2, 3, 4));
    }

    @Test
    void workerLayoutsDescribeThemselves() {
        assertThat(WorkerLayout.lanes(2).describe())
                .isEqualTo("2 workers x 1 intra-op thread, one batch across all 2 when it runs alone");
        assertThat(WorkerLayout.lanes(5)).isEqualTo(new WorkerLayout(2, 2, 5));
        assertThat(WorkerLayout.fixed(1, 2).describe()).isEqualTo("1 worker x 2 intra-op threads");
    }
}
