package io.denseserve.reliability;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What the first trickling attack on a freshly started server costs normal clients, and how much
 * of it is the JIT compiling the code that handles the attack: per trial, two fresh servers one
 * after the other (the packaged jar, the inference-bound DenseNet-BC of the reliability runs),
 * each warmed up with normal traffic and its saturation rate measured. One then meets a 15 s
 * trickling attack (1,000 connections, as {@link HostileClientsIT}'s) and a 5 s pause, the other
 * does not; then both run the same two phases at half the saturation rate: normal clients alone,
 * and beside 1,000 fresh tricklers (from 3 s after they start). Prints each phase's p50 and p99,
 * the ratio of the p99 with tricklers to the p99 alone, and the server's CPU beside the tricklers;
 * the median ratio per setting last. Run by {@code bench/first-attack.sh}.
 *
 * <p>Usage: {@code FirstAttackLatency TRIALS SECONDS_PER_PHASE}
 */
public final class FirstAttackLatency {

    private static final Duration EARLIER_ATTACK = Duration.ofSeconds(15);

    private FirstAttackLatency() {}

    public static void main(String[] args) throws Exception {
        int trials = Integer.parseInt(args[0]);
        Duration phase = Duration.ofSeconds(Long.parseLong(args[1]));
        String[] settings = {"fresh", "after-15s-attack"};
        List<List<Double>> ratios = List.of(new ArrayList<>(), new ArrayList<>());
        for (int t = 0; t < trials; t++) {
            for (int s = 0; s < settings.length; s++) {
                try (ServerProcess server = ServerProcess.start("first-attack", "--denseserve.model.bundle=" + OverloadIT.INFERENCE_BOUND_MODEL)) {
                    LoadDriver driver = new LoadDriver(server, ReliabilityShots.good(), Duration.ofSeconds(30));
                    driver.closedLoop(8, Duration.ofSeconds(10)); // warm-up
                    double rate = driver.closedLoop(32, Duration.ofSeconds(10)).answered(200) / 20.0; // half of saturation
                    if (s == 1) {
                        try (HostileClients earlier = new HostileClients.Tricklers(server, 1000).start()) {
                            Thread.sleep(EARLIER_ATTACK.toMillis());
                        }
                        Thread.sleep(5000);
                    }
                    LoadReport alone = driver.openLoop(rate, phase);
                    LoadReport attacked;
                    double cpu;
                    try (HostileClients tricklers = new HostileClients.Tricklers(server, 1000).start()) {
                        Thread.sleep(3000);
                        double cpuBefore = server.cpuSeconds();
                        long start = System.nanoTime();
                        attacked = driver.openLoop(rate, phase);
                        cpu = (server.cpuSeconds() - cpuBefore) / ((System.nanoTime() - start) / 1e9);
                    }
                    double ratio = attacked.percentileMs(200, 99) / alone.percentileMs(200, 99);
                    ratios.get(s).add(ratio);
                    System.out.printf(Locale.ROOT, "trial %d %s at %.1f requests/s: alone p50 %.1f p99 %.1f ms; tricklers p50 %.1f p99 %.1f ms,"
                            + " errors %d, server CPU %.0f%% of one; p99 ratio %.2f%n", t + 1, settings[s], rate,
                            alone.percentileMs(200, 50), alone.percentileMs(200, 99), attacked.percentileMs(200, 50),
                            attacked.percentileMs(200, 99), attacked.failures().size() + attacked.unexpectedCount(), 100 * cpu, ratio);
                }
            }
        }
        for (int s = 0; s < settings.length; s++) {
            List<Double> sorted = ratios.get(s).stream().sorted().toList();
            System.out.printf(Locale.ROOT, "RESULT,%s,%d,%.2f,%s%n", settings[s], sorted.size(), sorted.get(sorted.size() / 2),
                    sorted.stream().map(r -> String.format(Locale.ROOT, "%.2f", r)).toList());
        }
    }
}
