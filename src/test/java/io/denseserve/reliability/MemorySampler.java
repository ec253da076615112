package io.denseserve.reliability;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Samples the server's resident memory (from {@code /proc}) and used Java heap (from its own
 * metrics) at a fixed interval while load runs, for drift checks and a CSV beside the report.
 */
final class MemorySampler implements AutoCloseable {

    /** One sample: seconds since sampling began, resident and heap MiB. */
    record Sample(double seconds, double rssMiB, double heapUsedMiB) {}

    private final List<Sample> samples = new ArrayList<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final long start = System.nanoTime();

    MemorySampler(ServerProcess server, long periodMillis) {
        timer.scheduleAtFixedRate(() -> {
            try {
                double rss = server.rssBytes() / 1048576.0;
                double heap = server.metric("jvm_memory_used_bytes", "area=\"heap\"") / 1048576.0;
                synchronized (samples) {
                    samples.add(new Sample((System.nanoTime() - start) / 1e9, rss, heap));
                }
            } catch (IOException | InterruptedException | RuntimeException e) {
                // a missed sample (the server busy past the scrape timeout) is not an error of the server
            }
        }, 0, periodMillis, TimeUnit.MILLISECONDS);
    }

    List<Sample> samples() {
        synchronized (samples) {
            return List.copyOf(samples);
        }
    }

    /** The samples taken at or after {@code seconds}. */
    List<Sample> after(double seconds) {
        return samples().stream().filter(s -> s.seconds() >= seconds).toList();
    }

    static double maxRss(List<Sample> samples) {
        return samples.stream().mapToDouble(Sample::rssMiB).max().orElse(Double.NaN);
    }

    static double minRss(List<Sample> samples) {
        return samples.stream().mapToDouble(Sample::rssMiB).min().orElse(Double.NaN);
    }

    void writeCsv(Path file) throws IOException {
        StringBuilder csv = new StringBuilder("seconds,rss_mib,heap_used_mib\n");
        for (Sample s : samples()) {
            csv.append(String.format(java.util.Locale.ROOT, "%.1f,%.1f,%.1f%n", s.seconds(), s.rssMiB(), s.heapUsedMiB()));
        }
        Files.writeString(file, csv);
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
