package io.denseserve.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Steady load on the packaged service for a while: zero errors, and after warm-up its resident
 * memory (native included) stays within 5%. The load is a fixed arrival rate (default 50 requests/s,
 * {@code -Dsoak.rate}), a production-like steady state that leaves the CPU room, rather than
 * saturation, which is OverloadIT's subject. CI runs 3 minutes; locally
 * {@code ./mvnw verify -Dsoak.duration=PT30M}.
 */
class SoakIT {

    static final double MAX_RSS_SPREAD = 0.05;

    @Test
    void steadyLoadKeepsMemoryFlatAndAnswersEveryRequestCorrectly() throws Exception {
        Duration duration = Reports.duration("soak.duration", "PT3M");
        double rate = Double.parseDouble(System.getProperty("soak.rate", "50"));
        double warmupSeconds = Math.max(30, duration.toSeconds() / 6.0);
        try (ServerProcess server = ServerProcess.start("soak")) {
            LoadReport load;
            List<MemorySampler.Sample> steady;
            try (MemorySampler memory = new MemorySampler(server, 5_000)) {
                load = new LoadDriver(server, ReliabilityShots.mixed(), Duration.ofSeconds(30)).openLoop(rate, duration);
                steady = memory.after(warmupSeconds);
                memory.writeCsv(ServerProcess.REPORTS.resolve("soak-memory.csv"));
            }
            double min = MemorySampler.minRss(steady);
            double max = MemorySampler.maxRss(steady);
            Map<String, Object> figures = new LinkedHashMap<>();
            figures.put("durationSeconds", duration.toSeconds());
            figures.put("warmupSeconds", warmupSeconds);
            figures.put("arrivalsPerSecond", rate);
            figures.put("answeredPerSecond", LoadReport.round(load.answered() / (double) duration.toSeconds()));
            figures.put("rssAfterWarmupMiB", Map.of("first", steady.get(0).rssMiB(), "min", min, "max", max,
                    "last", steady.get(steady.size() - 1).rssMiB(), "samples", steady.size()));
            figures.put("rssSpreadPercent", LoadReport.round(100 * (max - min) / min));
            figures.put("heapUsedMiBLast", LoadReport.round(steady.get(steady.size() - 1).heapUsedMiB()));
            figures.put("load", load.summary());
            Reports.write("soak", figures);

            assertThat(load.failures()).as("requests with no answer").isEmpty();
            assertThat(load.unexpectedSamples()).as("answers with a status the request did not expect").isEmpty();
            assertThat(load.answered(200)).isGreaterThan(100);
            assertThat(steady.size()).as("memory samples after warm-up").isGreaterThanOrEqualTo(3);
            assertThat((max - min) / min).as("RSS spread after warm-up, MiB %.1f..%.1f", min, max).isLessThanOrEqualTo(MAX_RSS_SPREAD);
            assertThat(server.ready()).isTrue();
        }
    }
}
