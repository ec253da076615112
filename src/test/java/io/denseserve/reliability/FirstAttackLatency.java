package io.denseserve.reliability;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What the first trickling attack on a freshly started server costs normal clients, and what of
 * that is the JVM meeting the attack for the first time: per trial, fresh servers one after the
 * other (the packaged jar, the inference-bound DenseNet-BC of the reliability runs), each warmed
 * up with normal traffic and its saturation rate measured. The settings: the JVM's default G1
 * regions (1 MB at this heap) instead of the container's options ({@code deploy/docker/jvm.options});
 * as shipped; as
 * shipped, first meeting a 15 s trickling attack (1,000 connections, as {@link HostileClientsIT}'s)
 * and a 5 s pause, so that the JIT has compiled the code that handles it; as shipped with the JIT's
 * compiler threads at nice 19 or 10 (every other thread left at nice 0); as shipped, with the JIT's
 * log ({@link #COMPILATION_LOG}: its deoptimizations, for {@code bench/deoptimizations.py}). Then each server runs
 * the same two phases at half its saturation rate: normal clients alone, and beside 1,000 fresh
 * tricklers (from 3 s after they start). Prints
 * each phase's p50 and p99, the ratio of the p99 with tricklers to the p99 alone, the server's CPU
 * beside the tricklers (and its JIT compiler threads' share) and its longest GC pause in that
 * phase (its GC log); the median ratio per setting last, then the median JIT share (as a
 * fraction of one CPU) per setting. The trickling clients run against a {@link TrickleSink} first, so that no server's
 * first attack meets them still being compiled. Run by {@code bench/first-attack.sh}.
 *
 * <p>Usage: {@code FirstAttackLatency TRIALS SECONDS_PER_PHASE [SETTING...]} (every setting when
 * none is named: fresh-1MB-regions, fresh, after-15s-attack, fresh-jit-nice-19, fresh-jit-nice-10, fresh-logging-compilation)
 */
public final class FirstAttackLatency {

    private static final Duration EARLIER_ATTACK = Duration.ofSeconds(15);

    /** The JIT's log of the last server of {@code fresh-logging-compilation}, its deoptimizations included. */
    static final String COMPILATION_LOG = "target/reliability/first-attack-compilation.log";

    private record Setting(String label, List<String> jvmOptions, boolean earlierAttack) {}

    private static final List<Setting> ALL_SETTINGS = List.of(
            new Setting("fresh-1MB-regions", List.of(), false),
            new Setting("fresh", ServerProcess.SERVICE_JVM_OPTIONS, false),
            new Setting("after-15s-attack", ServerProcess.SERVICE_JVM_OPTIONS, true),
            new Setting("fresh-jit-nice-19", niced(19), false),
            new Setting("fresh-jit-nice-10", niced(10), false),
            new Setting("fresh-logging-compilation", withOptions(ServerProcess.SERVICE_JVM_OPTIONS, "-XX:+UnlockDiagnosticVMOptions",
                    "-XX:+LogCompilation", "-XX:LogFile=" + COMPILATION_LOG), false));

    private static List<String> withOptions(List<String> options, String... more) {
        List<String> all = new ArrayList<>(options);
        all.addAll(List.of(more));
        return all;
    }

    /** The JIT's compiler threads at {@code nice}, every other thread where it was (nice 0, also when run as root). */
    private static List<String> niced(int nice) {
        List<String> options = withOptions(ServerProcess.SERVICE_JVM_OPTIONS, "-XX:ThreadPriorityPolicy=1",
                "-XX:CompilerThreadPriority=" + nice);
        for (int p = 1; p <= 10; p++) {
            options.add("-XX:JavaPriority" + p + "_To_OSPriority=0");
        }
        return options;
    }

    private FirstAttackLatency() {}

    public static void main(String[] args) throws Exception {
        int trials = Integer.parseInt(args[0]);
        Duration phase = Duration.ofSeconds(Long.parseLong(args[1]));
        List<String> chosen = List.of(args).subList(2, args.length);
        List<Setting> settings = ALL_SETTINGS.stream().filter(s -> chosen.isEmpty() || chosen.contains(s.label())).toList();
        TrickleSink.warmUpTricklers(1000, Duration.ofSeconds(20)); // this driver's code, before any server meets it
        RatioMedians ratios = new RatioMedians(settings.stream().map(Setting::label).toList());
        RatioMedians jit = new RatioMedians(settings.stream().map(s -> s.label() + "-jit-cpu").toList());
        for (int t = 0; t < trials; t++) {
            for (int s = 0; s < settings.size(); s++) {
                Setting setting = settings.get(s);
                try (ServerProcess server = ServerProcess.start("first-attack", setting.jvmOptions(),
                        "--denseserve.model.bundle=" + OverloadIT.INFERENCE_BOUND_MODEL)) {
                    LoadDriver driver = new LoadDriver(server, ReliabilityShots.good(), Duration.ofSeconds(30));
                    double rate = driver.saturationPerSecond() / 2;
                    if (setting.earlierAttack()) {
                        try (HostileClients earlier = new HostileClients.Tricklers(server, 1000).start()) {
                            Thread.sleep(EARLIER_ATTACK.toMillis());
                        }
                        Thread.sleep(5000);
                    }
                    double compilingAloneBefore = server.compilerCpuSeconds();
                    LoadReport alone = driver.openLoop(rate, phase);
                    double compilingAlone = (server.compilerCpuSeconds() - compilingAloneBefore) / phase.toSeconds();
                    LoadReport attacked;
                    double cpu;
                    double attackFrom;
                    double compiling;
                    double longestPause;
                    try (HostileClients tricklers = new HostileClients.Tricklers(server, 1000).start()) {
                        attackFrom = server.uptimeSeconds();
                        Thread.sleep(3000);
                        double cpuBefore = server.cpuSeconds();
                        double compilingBefore = server.compilerCpuSeconds();
                        int pausesBefore = server.gcPausesMs().size();
                        long start = System.nanoTime();
                        attacked = driver.openLoop(rate, phase);
                        double seconds = (System.nanoTime() - start) / 1e9;
                        cpu = (server.cpuSeconds() - cpuBefore) / seconds;
                        compiling = (server.compilerCpuSeconds() - compilingBefore) / seconds;
                        List<Double> pauses = server.gcPausesMs();
                        longestPause = pauses.subList(pausesBefore, pauses.size()).stream().mapToDouble(d -> d).max().orElse(0);
                    }
                    double ratio = attacked.percentileMs(200, 99) / alone.percentileMs(200, 99);
                    ratios.add(s, ratio);
                    jit.add(s, compiling);
                    System.out.printf(Locale.ROOT, "trial %d %s at %.1f requests/s: alone p50 %.1f p99 %.1f ms (JIT %.0f%% of one CPU); tricklers"
                            + " (from %.1f s after the JVM started) p50 %.1f p99 %.1f ms, errors %d, server CPU %.0f%% of one (JIT %.0f%%),"
                            + " longest GC pause %.0f ms; p99 ratio %.2f%n", t + 1, setting.label(), rate, alone.percentileMs(200, 50),
                            alone.percentileMs(200, 99), 100 * compilingAlone, attackFrom, attacked.percentileMs(200, 50),
                            attacked.percentileMs(200, 99), attacked.failures().size() + attacked.unexpectedCount(), 100 * cpu, 100 * compiling,
                            longestPause, ratio);
                }
            }
        }
        ratios.printResults();
        jit.printResults();
    }
}
