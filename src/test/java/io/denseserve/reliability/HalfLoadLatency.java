package io.denseserve.reliability;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Latency at half the saturation rate with ONNX Runtime's intra-op threads blocking between
 * operators ({@code none}, the service's setting), spinning only in the pass that runs alone
 * ({@code alone}) and spinning in every pass ({@code all}, ONNX Runtime's default), side by
 * side: three servers (the packaged jar, the
 * inference-bound DenseNet-BC of the reliability runs) started together, each warmed up and its
 * saturation rate measured, then open-loop rounds at half the slower one's rate, alternating
 * between them; each round's p50 and p99, the server's CPU over the round, and the pooled p50 and
 * p99 per setting. Run by {@code bench/half-load-latency.sh}.
 *
 * <p>Usage: {@code HalfLoadLatency ROUNDS SECONDS_PER_ROUND}
 */
public final class HalfLoadLatency {

    private HalfLoadLatency() {}

    public static void main(String[] args) throws Exception {
        int rounds = Integer.parseInt(args[0]);
        Duration round = Duration.ofSeconds(Long.parseLong(args[1]));
        String[] settings = {"none", "alone", "all"};
        List<ServerProcess> servers = new ArrayList<>();
        try {
            for (String setting : settings) {
                System.setProperty(ServerProcess.SPIN, setting);
                servers.add(ServerProcess.start("half-load-" + setting, "--denseserve.model.bundle=" + OverloadIT.INFERENCE_BOUND_MODEL));
            }
            List<LoadDriver> drivers = new ArrayList<>();
            double saturation = Double.MAX_VALUE;
            for (int s = 0; s < settings.length; s++) {
                LoadDriver driver = new LoadDriver(servers.get(s), ReliabilityShots.good(), Duration.ofSeconds(30));
                double rate = driver.saturationPerSecond();
                System.out.printf(Locale.ROOT, "%s: saturation %.1f requests/s%n", settings[s], rate);
                saturation = Math.min(saturation, rate);
                drivers.add(driver);
            }
            double rate = saturation / 2;
            System.out.printf(Locale.ROOT, "rounds of %d s at %.1f requests/s%n", round.toSeconds(), rate);
            List<List<LoadReport>> reports = new ArrayList<>();
            for (String setting : settings) {
                reports.add(new ArrayList<>());
            }
            for (int r = 0; r < rounds; r++) {
                for (int s = 0; s < settings.length; s++) {
                    double cpuBefore = servers.get(s).cpuSeconds();
                    long start = System.nanoTime();
                    LoadReport report = drivers.get(s).openLoop(rate, round);
                    double cpu = (servers.get(s).cpuSeconds() - cpuBefore) / ((System.nanoTime() - start) / 1e9);
                    reports.get(s).add(report);
                    System.out.printf(Locale.ROOT, "round %d %s: p50 %.1f ms, p99 %.1f ms, errors %d, server CPU %.0f%% of one%n", r + 1,
                            settings[s], report.percentileMs(200, 50), report.percentileMs(200, 99),
                            report.failures().size() + report.unexpectedCount(), 100 * cpu);
                }
            }
            for (int s = 0; s < settings.length; s++) {
                LoadReport pooled = LoadReport.pooled(reports.get(s).toArray(LoadReport[]::new));
                System.out.printf(Locale.ROOT, "RESULT,%s,%d,%.1f,%.1f%n", settings[s], pooled.answered(200),
                        pooled.percentileMs(200, 50), pooled.percentileMs(200, 99));
            }
        } finally {
            servers.forEach(ServerProcess::close);
        }
    }
}
