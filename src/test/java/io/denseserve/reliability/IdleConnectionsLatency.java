package io.denseserve.reliability;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What 5,000 idle connections cost normal clients, and what of that is their timing: per trial,
 * fresh servers one after the other (the packaged jar, the inference-bound DenseNet-BC of the
 * reliability runs), each warmed up and its saturation rate measured, then normal clients at half
 * that rate alone and beside the idle connections. Opened at once with equal first deadlines
 * ({@code denseserve.connections.first-deadline-spread=0}), the connections time out together when
 * Tomcat's {@code connection-timeout} (20 s) runs out, and the driver reopens them in one wave: run
 * with request threads started on demand ({@code server.tomcat.threads.min-spare=10}, Tomcat's way)
 * and with all of them started with the server (the service's default). Opened at once with the
 * service's default spread, they time out and reopen over 10-20 s; opened evenly over 20 s, about 250
 * time out and reopen each second. The phase beside them starts once all are open and lasts 25 s,
 * so it holds one timeout of every connection. Prints each
 * phase's p50, p99 and slowest answer (and when it was sent, in seconds after the driver began to
 * open the connections), how many connections the server closed, the ratio of the
 * p99 beside them to the p99 alone, and the median ratio per setting last. Run by
 * {@code bench/idle-connections.sh}.
 *
 * <p>Usage: {@code IdleConnectionsLatency TRIALS SECONDS_ALONE}
 */
public final class IdleConnectionsLatency {

    private static final int CONNECTIONS = HostileClientsIT.IDLE_CONNECTIONS;
    /** One connection timeout, plus 5 s for the wave to pass. */
    private static final Duration BESIDE = HostileClientsIT.CONNECTION_TIMEOUT.plusSeconds(5);

    private record Setting(String label, Duration spread, List<String> args) {}

    private static final String DEADLINES_EQUAL = "--denseserve.connections.first-deadline-spread=0";

    private static final List<Setting> SETTINGS = List.of(
            new Setting("at-once-deadlines-equal-threads-on-demand", Duration.ZERO,
                    List.of(DEADLINES_EQUAL, "--server.tomcat.threads.min-spare=10")),
            new Setting("at-once-deadlines-equal", Duration.ZERO, List.of(DEADLINES_EQUAL)),
            new Setting("at-once", Duration.ZERO, List.of()),
            new Setting("spread-over-20s", HostileClientsIT.CONNECTION_TIMEOUT, List.of()));

    private IdleConnectionsLatency() {}

    public static void main(String[] args) throws Exception {
        int trials = Integer.parseInt(args[0]);
        Duration alonePhase = Duration.ofSeconds(Long.parseLong(args[1]));
        RatioMedians ratios = new RatioMedians(SETTINGS.stream().map(Setting::label).toList());
        for (int t = 0; t < trials; t++) {
            for (int s = 0; s < SETTINGS.size(); s++) {
                Setting setting = SETTINGS.get(s);
                List<String> serverArgs = new ArrayList<>(List.of("--denseserve.model.bundle=" + OverloadIT.INFERENCE_BOUND_MODEL));
                serverArgs.addAll(setting.args());
                try (ServerProcess server = ServerProcess.start("idle-connections", serverArgs.toArray(String[]::new))) {
                    LoadDriver driver = new LoadDriver(server, ReliabilityShots.good(), Duration.ofSeconds(30));
                    double rate = driver.saturationPerSecond() / 2;
                    LoadReport alone = driver.openLoop(rate, alonePhase);
                    LoadReport beside;
                    long closed;
                    long opening = System.nanoTime();
                    try (HostileClients.IdleConnections idle = new HostileClients.IdleConnections(server, CONNECTIONS, setting.spread())) {
                        idle.start();
                        idle.awaitAllOpen(setting.spread().plusSeconds(20));
                        long closedBefore = idle.outcomes().getOrDefault("closed by the server", 0L);
                        beside = driver.openLoop(rate, BESIDE);
                        closed = idle.outcomes().getOrDefault("closed by the server", 0L) - closedBefore;
                    }
                    double ratio = beside.percentileMs(200, 99) / alone.percentileMs(200, 99);
                    ratios.add(s, ratio);
                    System.out.printf(Locale.ROOT, "trial %d %s at %.1f requests/s: alone p50 %.1f p99 %.1f ms; beside %d idle connections"
                            + " (%d closed by the server) p50 %.1f p99 %.1f max %.1f ms (sent %.1f s after opening began), errors %d; p99 ratio %.2f%n",
                            t + 1, setting.label(), rate, alone.percentileMs(200, 50), alone.percentileMs(200, 99), CONNECTIONS, closed,
                            beside.percentileMs(200, 50), beside.percentileMs(200, 99), beside.percentileMs(200, 100),
                            (beside.slowestSentNanos(200) - opening) / 1e9, beside.failures().size() + beside.unexpectedCount(), ratio);
                }
            }
        }
        ratios.printResults();
    }
}
