package io.denseserve.inference;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The service's Prometheus metrics, all tagged with the model name: latency histograms (with
 * percentile buckets and SLO boundaries) for the whole request and its parts, the batch-size
 * distribution, requests by outcome, the queue depth and, where two workers share the CPUs as
 * lanes ({@link CoreLanes}), batches by the CPUs they ran on.
 */
public final class InferenceMetrics {

    /** How a classification request ended; each is one {@code denseserve_requests_total} series. */
    public enum Outcome { OK, BAD_INPUT, TOO_LARGE, TOO_SLOW, OVERLOADED, TIMEOUT, ERROR }

    /** Which door a request came in by: HTTP (both {@code /classify} and the Open Inference Protocol's REST form) or gRPC. */
    public enum Protocol { REST, GRPC }

    /** Classification requests by outcome ({@code denseserve_requests_total}). */
    public static final String REQUESTS = "denseserve.requests";

    private static final Duration[] SLO = {Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50),
        Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1),
        Duration.ofMillis(2500), Duration.ofSeconds(5)};

    private final Timer total;
    private final Timer preprocess;
    private final Timer queueWait;
    private final Timer inference;
    private final DistributionSummary batchSize;
    private final Map<Protocol, Map<Outcome, Counter>> outcomes = new EnumMap<>(Protocol.class);
    private final Counter acrossAllCpus;
    private final Counter inOneLane;

    /**
     * The metrics of a model name; every version of it shares them (Micrometer hands back the meters
     * already registered under the same name and tags).
     *
     * @param queueDepth requests waiting, across every version of the model
     */
    public InferenceMetrics(MeterRegistry registry, String model, int maxBatchSize, Supplier<Number> queueDepth) {
        total = timer(registry, "denseserve.request", "whole request: decode, preprocess, queue, inference, response", model);
        preprocess = timer(registry, "denseserve.preprocess", "image decoding and preprocessing", model);
        queueWait = timer(registry, "denseserve.queue.wait", "from enqueue to the start of the batch's forward pass", model);
        inference = timer(registry, "denseserve.inference", "forward pass of one batch", model);
        batchSize = DistributionSummary.builder("denseserve.batch.size")
                .description("images per forward pass").tag("model", model)
                .serviceLevelObjectives(java.util.stream.IntStream.rangeClosed(1, maxBatchSize).asDoubleStream().toArray())
                .register(registry);
        for (Protocol p : Protocol.values()) {
            Map<Outcome, Counter> counters = new EnumMap<>(Outcome.class);
            for (Outcome o : Outcome.values()) {
                counters.put(o, Counter.builder(REQUESTS).description("classification requests by outcome and protocol")
                        .tag("model", model).tag("outcome", o.name().toLowerCase(java.util.Locale.ROOT))
                        .tag("protocol", p.name().toLowerCase(java.util.Locale.ROOT)).register(registry));
            }
            outcomes.put(p, counters);
        }
        acrossAllCpus = lanes(registry, model, "all_cpus");
        inOneLane = lanes(registry, model, "one_lane");
        if (registry.find("denseserve.queue.depth").tag("model", model).gauge() == null) {
            // one gauge per model name, registered by its first version: queueDepth counts every version's
            Gauge.builder("denseserve.queue.depth", queueDepth).description("requests waiting for a batch")
                    .tag("model", model).register(registry);
        }
    }

    private static Counter lanes(MeterRegistry registry, String model, String width) {
        return Counter.builder("denseserve.lane.batches")
                .description("batches by the CPUs they ran on, where two workers share them as lanes")
                .tag("model", model).tag("width", width).register(registry);
    }

    private static Timer timer(MeterRegistry registry, String name, String description, String model) {
        return Timer.builder(name).description(description).tag("model", model)
                .publishPercentileHistogram().publishPercentiles(0.5, 0.95, 0.99)
                .serviceLevelObjectives(SLO).minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(30)).register(registry);
    }

    /** Time of a request that produced a classification. */
    public void recordTotal(long nanos) {
        total.record(nanos, TimeUnit.NANOSECONDS);
    }

    /** Counts one request's outcome, successful or not. */
    public void count(Outcome outcome, Protocol protocol) {
        outcomes.get(protocol).get(outcome).increment();
    }

    public void recordPreprocess(long nanos) {
        preprocess.record(nanos, TimeUnit.NANOSECONDS);
    }

    void recordBatch(int size, long inferenceNanos) {
        batchSize.record(size);
        inference.record(inferenceNanos, TimeUnit.NANOSECONDS);
    }

    void recordBatchWidth(boolean allCpus) {
        (allCpus ? acrossAllCpus : inOneLane).increment();
    }

    void recordQueueWait(long nanos) {
        queueWait.record(nanos, TimeUnit.NANOSECONDS);
    }
}
