package io.denseserve.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Arrivals at about 4x what the service can serve: the requests it accepts keep a bounded p99
 * (within the request timeout), the rest get 503 quickly, no request hangs or is cut off, memory
 * stays bounded, and the service is healthy afterwards. Saturation is measured first, in the same
 * run, with 32 closed-loop clients. CI: 30 s of overload; locally {@code -Doverload.duration=PT2M}.
 *
 * <p>A 5 s cold burst at the same rate comes first, when neither the server nor this driver (which
 * shares the 2 cores) has ever refused or sent that fast: every request in it must still be
 * answered 200 or 503, and its latencies are reported, but the latency bounds are asserted on the
 * sustained overload after it. In the cold seconds the JIT compilers of both JVMs compete with the
 * forward passes, and the driver itself sends up to 0.26 s late (measured), so a bound there would
 * test the machine's warm-up more than the service.
 */
class OverloadIT {

    static final double OVERLOAD_FACTOR = 4;
    /**
     * A model whose forward pass, not HTTP, bounds what the service can serve: DenseNet-BC (depth
     * 40, k = 12) on 64x64 RGB. With the embedded 28x28 model on ONNX Runtime (1.5 ms a pass) the
     * closed loop saturates the HTTP layer instead (about 300/s here), and 4x that is more than the
     * server and this driver together can even refuse on 2 shared cores: such a run tests the
     * machine, not admission control.
     */
    static final java.nio.file.Path INFERENCE_BOUND_MODEL = io.denseserve.testing.TestBundles.rgb(40, 12, 64);
    /**
     * The same network on 96x96 RGB, for 4x its saturation: on a faster CPU (a 2-vCPU Zen 5) 4x the
     * 64x64 model's saturation (440-620/s) was again more than the server and this driver could
     * refuse on 2 shared cores, and refusals waited seconds in the server's socket buffers; at 96x96
     * saturation is about 76/s there. {@code -Doverload.side=64} runs it on 64x64 input.
     */
    static final java.nio.file.Path OVERLOAD_MODEL =
            io.denseserve.testing.TestBundles.rgb(40, 12, Integer.getInteger("overload.side", 96));
    static final Duration COLD_BURST = Duration.ofSeconds(5);
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10); // application.yml's denseserve.inference.request-timeout

    @Test
    void fourTimesSaturationGets503sQuicklyAndBoundedLatencyForTheRest() throws Exception {
        Duration duration = Reports.duration("overload.duration", "PT30S");
        try (ServerProcess server = ServerProcess.start("overload", "--denseserve.model.bundle=" + OVERLOAD_MODEL)) {
            List<Shot> shots = ReliabilityShots.good().stream().map(s -> s.withAlsoExpected(503)).toList();
            LoadDriver driver = new LoadDriver(server, shots, Duration.ofSeconds(30));
            driver.closedLoop(8, Duration.ofSeconds(10)); // warm-up
            Duration measure = Duration.ofSeconds(15);
            LoadReport saturation = driver.closedLoop(32, measure);
            double saturationRate = saturation.answered(200) / (double) measure.toSeconds();
            long coldOrigin = System.nanoTime();
            LoadReport cold = driver.openLoop(OVERLOAD_FACTOR * saturationRate, COLD_BURST);
            cold.writeAnswersCsv(ServerProcess.REPORTS.resolve("overload-cold-answers.csv"), coldOrigin);
            double rssBefore = server.rssBytes() / 1048576.0;

            LoadReport overload;
            List<MemorySampler.Sample> samples;
            try (MemorySampler memory = new MemorySampler(server, 2_000)) {
                long origin = System.nanoTime();
                overload = driver.openLoop(OVERLOAD_FACTOR * saturationRate, duration);
                overload.writeAnswersCsv(ServerProcess.REPORTS.resolve("overload-answers.csv"), origin);
                samples = memory.samples();
                memory.writeCsv(ServerProcess.REPORTS.resolve("overload-memory.csv"));
            }
            double rssMax = MemorySampler.maxRss(samples);
            Map<String, Object> figures = new LinkedHashMap<>();
            figures.put("saturationPerSecond", LoadReport.round(saturationRate));
            figures.put("saturationRun", saturation.summary());
            figures.put("coldBurstRun", cold.summary());
            figures.put("targetPerSecond", LoadReport.round(OVERLOAD_FACTOR * saturationRate));
            figures.put("durationSeconds", duration.toSeconds());
            figures.put("acceptedPerSecond", LoadReport.round(overload.answered(200) / (double) duration.toSeconds()));
            figures.put("rssMiB", Map.of("beforeOverload", LoadReport.round(rssBefore), "maxDuringOverload", rssMax));
            figures.put("overloadRun", overload.summary());
            Reports.write("overload", figures);

            assertThat(cold.failures()).as("requests hung or cut off in the cold burst").isEmpty();
            assertThat(cold.unexpectedSamples()).as("answers other than 200 or 503 in the cold burst").isEmpty();
            assertThat(overload.failures()).as("requests hung or cut off").isEmpty();
            assertThat(overload.unexpectedSamples()).as("answers other than 200 or 503").isEmpty();
            assertThat(overload.offeredRate()).as("the driver reached at least 3x saturation").isGreaterThan(3 * saturationRate);
            assertThat(overload.answered(200)).isPositive();
            assertThat(overload.answered(503)).as("the excess was refused").isPositive();
            assertThat(overload.percentileMs(200, 99)).as("p99 of accepted requests, ms")
                    .isLessThanOrEqualTo(REQUEST_TIMEOUT.toMillis() + 1000.0);
            assertThat(overload.percentileMs(503, 99)).as("p99 of refusals, ms").isLessThanOrEqualTo(1000.0);
            assertThat(rssMax).as("RSS under overload vs before, MiB").isLessThanOrEqualTo(1.5 * rssBefore);
            assertThat(server.ready()).isTrue();
            assertThat(driver.closedLoop(1, Duration.ofSeconds(2)).unexpectedCount()).isZero();
        }
    }
}
