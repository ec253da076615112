package io.denseserve.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.denseserve.failure.DeadlineExceededException;
import io.denseserve.failure.InferenceFailedException;
import io.denseserve.failure.ModelNotReadyException;
import io.denseserve.failure.OverloadedException;
import io.denseserve.plan.FeatureMap;
import io.denseserve.plan.ForwardOutput;
import io.denseserve.plan.Softmax;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Admission control, deadlines, batching and fault isolation of the worker pool. */
class BatchingPredictorTest {

    /** Logits = the input's 4 values; an input starting with -999 makes the forward pass throw. */
    static ForwardOutput flakyIdentity(float[][] images, boolean features) {
        for (float[] image : images) {
            if (image[0] == -999f) {
                throw new IllegalStateException("simulated failure inside the model");
            }
        }
        FeatureMap[] maps = null;
        if (features) {
            maps = new FeatureMap[images.length];
            for (int i = 0; i < images.length; i++) {
                maps[i] = new FeatureMap(1, 1, images[i].length, images[i].clone());
            }
        }
        return new ForwardOutput(images, maps);
    }

    SimpleMeterRegistry registry;
    BatchingPredictor predictor;

    @BeforeEach
    void registry() {
        registry = new SimpleMeterRegistry();
    }

    @AfterEach
    void close() {
        if (predictor != null) {
            predictor.close();
        }
    }

    BatchingPredictor predictor(int batchSize, int queueCapacity) {
        InferenceMetrics metrics = new InferenceMetrics(registry, "flaky", "1", batchSize, () -> 0);
        predictor = new BatchingPredictor(StubPlan.of(BatchingPredictorTest::flakyIdentity), 4, WorkerLayout.fixed(1, 1), batchSize, Duration.ofMillis(20),
                queueCapacity, Duration.ofSeconds(30), metrics);
        return predictor;
    }

    static float[] image(float first) {
        return new float[] {first, 0, 0, 0};
    }

    static long in(Duration d) {
        return System.nanoTime() + d.toNanos();
    }

    @Test
    void aFullQueueIsRefusedAtOnce() {
        BatchingPredictor p = predictor(4, 2);
        p.submit(image(1), in(Duration.ofSeconds(5)));
        p.submit(image(1), in(Duration.ofSeconds(5)));
        long start = System.nanoTime();
        assertThatThrownBy(() -> p.submit(image(1), in(Duration.ofSeconds(5))))
                .isInstanceOf(OverloadedException.class).hasMessageContaining("queue is full");
        assertThat(System.nanoTime() - start).isLessThan(TimeUnit.MILLISECONDS.toNanos(50));
    }

    @Test
    void queuedJobsShareOneBatchAndGetTheirOwnRow() throws Exception {
        BatchingPredictor p = predictor(4, 8);
        List<CompletableFuture<InferenceResult>> results = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            results.add(p.submit(image(i), in(Duration.ofSeconds(5))));
        }
        p.start();
        for (int i = 0; i < 4; i++) {
            InferenceResult r = results.get(i).get(5, TimeUnit.SECONDS);
            assertThat(r.batchSize()).isEqualTo(4);
            float[] expected = softmax(new float[] {i, 0, 0, 0});
            assertThat(r.probabilities()).containsExactly(expected, org.assertj.core.data.Offset.offset(1e-6f));
        }
    }

    @Test
    void featureMapsReachOnlyTheJobsThatAskedForThemFromTheSharedBatch() throws Exception {
        BatchingPredictor p = predictor(4, 8);
        CompletableFuture<InferenceResult> plain = p.submit(image(1), false, in(Duration.ofSeconds(5)));
        CompletableFuture<InferenceResult> explained = p.submit(image(2), true, in(Duration.ofSeconds(5)));
        p.start();

        InferenceResult withMaps = explained.get(5, TimeUnit.SECONDS);
        assertThat(withMaps.batchSize()).isEqualTo(2);
        assertThat(withMaps.features().values()).containsExactly(2, 0, 0, 0);
        assertThat(plain.get(5, TimeUnit.SECONDS).features()).isNull();
    }

    @Test
    void anExpiredJobIsDroppedBeforeInference() throws Exception {
        BatchingPredictor p = predictor(4, 8);
        CompletableFuture<InferenceResult> expired = p.submit(image(1), System.nanoTime() - 1);
        CompletableFuture<InferenceResult> fresh = p.submit(image(2), in(Duration.ofSeconds(5)));
        p.start();
        assertThatThrownBy(() -> expired.get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(DeadlineExceededException.class);
        assertThat(fresh.get(5, TimeUnit.SECONDS).batchSize()).isEqualTo(1);
    }

    @Test
    void aFailingBatchFailsOnlyItselfAndTheWorkerRecovers() throws Exception {
        BatchingPredictor p = predictor(1, 8);
        p.start();
        CompletableFuture<InferenceResult> bad = p.submit(image(-999), in(Duration.ofSeconds(5)));
        assertThatThrownBy(() -> bad.get(5, TimeUnit.SECONDS)).hasCauseInstanceOf(InferenceFailedException.class);
        for (int i = 0; i < 3; i++) {
            assertThat(p.submit(image(i), in(Duration.ofSeconds(5))).get(5, TimeUnit.SECONDS).probabilities()).hasSize(4);
        }
    }

    @Test
    void closeFinishesQueuedWorkThenRefusesNewWork() throws Exception {
        BatchingPredictor p = predictor(2, 8);
        List<CompletableFuture<InferenceResult>> queued = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            queued.add(p.submit(image(i), in(Duration.ofSeconds(5))));
        }
        p.start();
        p.close();
        for (CompletableFuture<InferenceResult> f : queued) {
            assertThat(f).isCompleted();
            assertThat(f.get().probabilities()).hasSize(4);
        }
        assertThatThrownBy(() -> p.submit(image(1), in(Duration.ofSeconds(5)))).isInstanceOf(ModelNotReadyException.class);
    }

    static float[] softmax(float[] logits) {
        double sum = 0;
        for (float l : logits) {
            sum += Math.exp(l);
        }
        float[] out = new float[logits.length];
        for (int i = 0; i < logits.length; i++) {
            out[i] = (float) (Math.exp(logits[i]) / sum);
        }
        return out;
    }

    @Test
    void aWarmUpForwardPassThatFailsFailsStartWithItsReason() {
        StubPlan broken = StubPlan.of((images, features) -> {
            throw new IllegalStateException("no kernel for this shape");
        });
        predictor = new BatchingPredictor(broken, 4, WorkerLayout.fixed(2, 1), 4, Duration.ofMillis(20), 8,
                Duration.ofSeconds(30), new InferenceMetrics(registry, "broken", "1", 4, () -> 0));
        assertThatThrownBy(() -> predictor.start(4)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("warm-up forward pass failed").hasMessageContaining("no kernel for this shape");
    }

    /** Live threads whose names end with this model's label. */
    static long threadsOf(String label) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().endsWith(" " + label)).count();
    }

    @Test
    void withoutTrafficTheWorkersEndAndTheNextRequestRunsOnThePassesAlreadyOpen() throws Exception {
        AtomicInteger opened = new AtomicInteger();
        StubPlan plan = new StubPlan() {
            @Override
            protected Forward opened(int threads) {
                opened.incrementAndGet();
                return BatchingPredictorTest::flakyIdentity;
            }
        };
        predictor = new BatchingPredictor(plan, 4, WorkerLayout.fixed(2, 1), 4, Duration.ZERO, 8, Duration.ofMillis(500),
                new InferenceMetrics(registry, "idle", "1", 4, () -> 0));
        predictor.start(1);
        assertThat(threadsOf("idle:1")).isEqualTo(2);
        await().atMost(Duration.ofSeconds(10)).until(() -> threadsOf("idle:1") == 0);
        assertThat(predictor.workerThreads()).isZero();

        for (int i = 0; i < 3; i++) {
            float[] probabilities = predictor.submit(image(i), in(Duration.ofSeconds(5))).get(5, TimeUnit.SECONDS).probabilities();
            assertThat(probabilities).containsExactly(Softmax.rows(new float[][] {image(i)})[0]);
        }
        assertThat(opened).as("passes opened").hasValue(2);
        assertThat(threadsOf("idle:1")).isBetween(1L, 2L);
        await().atMost(Duration.ofSeconds(10)).until(() -> threadsOf("idle:1") == 0);
    }

    @Test
    void requestsArrivingWhileWorkersIdleOutAreNeverLost() throws Exception {
        // Workers end after 1 ms without a job: clients pausing 0-3 ms between requests meet
        // workers ending, ended, and starting again.
        predictor = new BatchingPredictor(StubPlan.of(BatchingPredictorTest::flakyIdentity), 4, WorkerLayout.fixed(2, 1), 4,
                Duration.ZERO, 64, Duration.ofMillis(1), new InferenceMetrics(registry, "churn", "1", 4, () -> 0));
        predictor.start(1);
        ExecutorService clients = Executors.newFixedThreadPool(6);
        try {
            List<Future<Integer>> answered = new ArrayList<>();
            for (int c = 0; c < 6; c++) {
                answered.add(clients.submit(() -> {
                    int ok = 0;
                    for (int i = 0; i < 300; i++) {
                        float value = ThreadLocalRandom.current().nextFloat();
                        float[] probabilities = predictor.submit(image(value), in(Duration.ofSeconds(10)))
                                .get(10, TimeUnit.SECONDS).probabilities();
                        assertThat(probabilities).containsExactly(Softmax.rows(new float[][] {image(value)})[0]);
                        ok++;
                        Thread.sleep(ThreadLocalRandom.current().nextInt(4));
                    }
                    return ok;
                }));
            }
            for (Future<Integer> a : answered) {
                assertThat(a.get(60, TimeUnit.SECONDS)).isEqualTo(300);
            }
        } finally {
            clients.shutdownNow();
        }
        assertThat(predictor.workerThreads()).isBetween(0, 2);
    }

    @Test
    void closingWhileWorkersIdleOutAnswersEveryRequestItAccepted() throws Exception {
        for (int round = 0; round < 100; round++) {
            try (BatchingPredictor closing = new BatchingPredictor(StubPlan.of(BatchingPredictorTest::flakyIdentity), 4,
                    WorkerLayout.fixed(2, 1), 4, Duration.ZERO, 64, Duration.ofNanos(ThreadLocalRandom.current().nextInt(200_000)),
                    new InferenceMetrics(registry, "closing", String.valueOf(round), 4, () -> 0))) {
                closing.start(1);
                Thread.sleep(0, ThreadLocalRandom.current().nextInt(300_000)); // workers ending, ended or still there
                CompletableFuture<InferenceResult> accepted = closing.submit(image(0.5f), in(Duration.ofSeconds(10)));
                Thread closer = new Thread(closing::close);
                closer.start();
                assertThat(accepted.get(10, TimeUnit.SECONDS).probabilities()).as("round %d", round).hasSize(4);
                closer.join(10_000);
                assertThat(closer.isAlive()).as("close returned, round %d", round).isFalse();
            }
        }
    }
}
