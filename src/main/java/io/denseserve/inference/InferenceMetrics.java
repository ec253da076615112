package io.denseserve.inference;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The service's Prometheus metrics, all tagged with the model's name and version: latency histograms (with
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

    private final MeterRegistry registry;
    private final List<Meter> meters = new ArrayList<>();
    private final String label;

    /**
     * The metrics of one version of a model, every meter tagged {@code model} and {@code version}.
     *
     * @param queueDepth requests waiting for this version
     */
    public InferenceMetrics(MeterRegistry registry, String model, String version, int maxBatchSize,
            Supplier<Number> queueDepth) {
        this.registry = registry;
        this.label = model + ":" + version;
        Tags tags = Tags.of("model", model, "version", version);
        total = timer("denseserve.request", "whole request: decode, preprocess, queue, inference, response", tags);
        preprocess = timer("denseserve.preprocess", "image decoding and preprocessing", tags);
        queueWait = timer("denseserve.queue.wait", "from enqueue to the start of the batch's forward pass", tags);
        inference = timer("denseserve.inference", "forward pass of one batch", tags);
        batchSize = kept(DistributionSummary.builder("denseserve.batch.size")
                .description("images per forward pass").tags(tags)
                .serviceLevelObjectives(java.util.stream.IntStream.rangeClosed(1, maxBatchSize).asDoubleStream().toArray())
                .register(registry));
        for (Protocol p : Protocol.values()) {
            Map<Outcome, Counter> counters = new EnumMap<>(Outcome.class);
            for (Outcome o : Outcome.values()) {
                counters.put(o, kept(Counter.builder(REQUESTS).description("classification requests by outcome and protocol")
                        .tags(tags).tag("outcome", o.name().toLowerCase(java.util.Locale.ROOT))
                        .tag("protocol", p.name().toLowerCase(java.util.Locale.ROOT)).register(registry)));
            }
            outcomes.put(p, counters);
        }
        acrossAllCpus = lanes(tags, "all_cpus");
        inOneLane = lanes(tags, "one_lane");
        kept(Gauge.builder("denseserve.queue.depth", queueDepth).description("requests waiting for a batch")
                .tags(tags).register(registry));
    }

    /** Removes this version's meters from the registry: its series end once it is freed. */
    public void close() {
        meters.forEach(registry::remove);
    }

    private <M extends Meter> M kept(M meter) {
        meters.add(meter);
        return meter;
    }

    private Counter lanes(Tags tags, String width) {
        return kept(Counter.builder("denseserve.lane.batches")
                .description("batches by the CPUs they ran on, where two workers share them as lanes")
                .tags(tags).tag("width", width).register(registry));
    }

    private Timer timer(String name, String description, Tags tags) {
        return kept(Timer.builder(name).description(description).tags(tags)
                .publishPercentileHistogram().publishPercentiles(0.5, 0.95, 0.99)
                .serviceLevelObjectives(SLO).minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(30)).register(registry));
    }

    /** The model and version these metrics are of, as {@code name:version}. */
    public String label() {
        return label;
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
