package io.denseserve.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.denseserve.reliability.HostileClients.Burst;
import io.denseserve.reliability.HostileClients.IdleConnections;
import io.denseserve.reliability.HostileClients.Tricklers;
import io.denseserve.testing.Images;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/**
 * Hostile clients beside normal ones, against the packaged jar, in one run: normal clients send
 * at half the saturation rate (measured first; then one phase unmeasured while the JIT settles)
 * alone (three phases spread over the run, pooled; each one's p99 is reported as the run's own
 * noise), then beside (a) 1,000 connections trickling
 * request bodies at 1 byte/s (the first attack the fresh server meets, and a second one), (b) 5,000
 * idle connections (opened over one idle timeout, then again all at once, so that they all time out
 * together), and (c) 64 clients sending maximum-size bodies,
 * maximum-pixel images, decompression-bomb headers and bodies cut off halfway.
 *
 * <p>What must never happen fails the run: a normal request that errs, hangs or is answered other
 * than 200; a normal p99 above {@value #MAX_NORMAL_P99_MS} ms (slow bodies holding request threads
 * put it in the tens of seconds); under (c) an answer other than 200, 400, 413 or 503 with
 * Retry-After, resident memory over the budget, or a service that no longer classifies afterwards.
 * How much hostile clients slow normal ones (each phase's p99 over the p99 alone) is a benchmark
 * figure, not a gate: on 2 CPUs shared with the attacking driver it moves by 2x from run to run. It
 * goes to {@code target/reliability/hostile.json}, and RELIABILITY.md records it with the machine.
 * Each phase lasts {@code -Dhostile.duration} (CI: 20 s), or longer where the normal clients' rate
 * would give fewer than {@code -Dhostile.samples} answers in it (CI: {@value #SAMPLES_PER_PHASE}).
 */
class HostileClientsIT {

    /** -Xmx1g (ServerProcess) plus the native memory of the JVM, ONNX Runtime and Jetty's buffers. */
    static final double RSS_BUDGET_MIB = 2048;
    static final int IDLE_CONNECTIONS = 5000;
    /** Normal clients' p99 in any phase, at most (ms). */
    static final double MAX_NORMAL_P99_MS = 1000;
    /**
     * Normal answers per measured phase, at least, unless {@code -Dhostile.samples}: their p99 is
     * then about the 8th slowest. For p99 ratios worth publishing, run with 1,600 or more.
     */
    static final int SAMPLES_PER_PHASE = 800;
    /** {@code server.jetty.connection-idle-timeout} in application.yml: an idle connection is closed after it. */
    static final Duration CONNECTION_TIMEOUT = Duration.ofSeconds(20);

    @Test
    void hostileClientsLeaveNormalClientsServedAndMemoryBounded() throws Exception {
        long files = openFilesLimit();
        org.junit.jupiter.api.Assumptions.assumeTrue(files >= 12_000, () -> {
            String why = "SKIPPED HostileClientsIT: 5,000 idle connections need more open files than this process may have ("
                    + files + "); raise `ulimit -n`";
            System.out.println("*** " + why + " ***");
            return why;
        });
        Duration shortestPhase = Reports.duration("hostile.duration", "PT20S");
        TrickleSink.warmUpTricklers(1000, Duration.ofSeconds(20)); // this driver's code, before the server meets it
        try (ServerProcess server = ServerProcess.start("hostile", "--denseserve.model.bundle=" + OverloadIT.INFERENCE_BOUND_MODEL)) {
            LoadDriver driver = new LoadDriver(server, ReliabilityShots.good(), Duration.ofSeconds(30));
            double saturation = driver.saturationPerSecond();
            double normalRate = saturation / 2;
            Duration phase = phaseFor(normalRate, shortestPhase);
            Map<String, Object> figures = new LinkedHashMap<>();
            figures.put("saturationPerSecond", LoadReport.round(saturation));
            figures.put("normalPerSecond", LoadReport.round(normalRate));
            figures.put("phaseSeconds", phase.toSeconds());

            // The saturation run leaves the JIT compiling normal traffic's code: settled unmeasured first,
            // so that the phases alone are what a server serving only normal clients gives.
            Phase settling = phase(server, () -> driver.openLoop(normalRate, phase), null);
            figures.put("settlingJitCpuShare", LoadReport.round(settling.jitCpuShare()));
            Phase aloneFirst = phase(server, () -> driver.openLoop(normalRate, phase), null);

            // The first attack meets code the JIT has not compiled yet; the same attack, started afresh, is measured too.
            Tricklers firstTricklers = new Tricklers(server, 1000);
            Phase firstAttack = phase(server, () -> driver.openLoop(normalRate, warmedUp(firstTricklers.start(), phase)), firstTricklers);
            figures.put("tricklingBodiesFirstAttack", firstAttack.figures());

            Phase aloneSecond = phase(server, () -> driver.openLoop(normalRate, phase), null);

            Tricklers tricklers = new Tricklers(server, 1000);
            Phase slow = phase(server, () -> driver.openLoop(normalRate, warmedUp(tricklers.start(), phase)), tricklers);
            slow.hostile().put("tooSlowCounted", server.metric("denseserve_requests_total", "outcome=\"too_slow\""));
            server.writeThreadDump("hostile-threads-after-trickling.txt"); // where its threads stood, should this run fail
            figures.put("tricklingBodies", slow.figures());

            // Idle connections from many clients arrive at any time: opened over one idle timeout, they
            // then time out and reopen about 250 a second. Opened at once (one client's burst), they all
            // time out together, measured apart, over a phase that holds it.
            IdleConnections idle = new IdleConnections(server, IDLE_CONNECTIONS, CONNECTION_TIMEOUT);
            long[] openAtStart = new long[1];
            Phase flood = phase(server, () -> {
                idle.start();
                openAtStart[0] = idle.awaitAllOpen(CONNECTION_TIMEOUT.plusSeconds(20));
                return driver.openLoop(normalRate, phase);
            }, idle);
            flood.hostile().put("openAtStart", openAtStart[0]);
            figures.put("idleConnections", flood.figures());

            IdleConnections atOnce = new IdleConnections(server, IDLE_CONNECTIONS, Duration.ZERO);
            Phase wave = phase(server, () -> {
                atOnce.start();
                atOnce.awaitAllOpen(Duration.ofSeconds(20));
                return driver.openLoop(normalRate, max(CONNECTION_TIMEOUT.plusSeconds(5), phase));
            }, atOnce);
            figures.put("idleConnectionsOpenedAtOnce", wave.figures());

            Phase aloneThird = phase(server, () -> driver.openLoop(normalRate, phase), null);
            // Three phases alone, spread over the run (a neighbour on a shared machine slows some minutes
            // and not others), pooled; how far their p99s lie apart is this machine's own noise.
            List<Phase> alonePhases = List.of(aloneFirst, aloneSecond, aloneThird);
            Phase alone = new Phase(LoadReport.pooled(alonePhases.stream().map(Phase::normal).toArray(LoadReport[]::new)),
                    Map.of(), alonePhases.stream().mapToDouble(Phase::rssMaxMiB).max().orElseThrow(),
                    alonePhases.stream().mapToDouble(Phase::jitCpuShare).max().orElseThrow());
            figures.put("alone", alone.figures());
            figures.put("aloneP99sMs", alonePhases.stream().map(p -> LoadReport.round(p.p99())).toList());

            Burst burst = new Burst(server, 64, burstUploads());
            Phase heavy = phase(server, () -> driver.openLoop(normalRate, warmedUp(burst.start(), phase)), burst);
            heavy.hostile().put("503WithoutRetryAfter", burst.retryAfterMissing());
            figures.put("largeBursts", heavy.figures());
            boolean readyAfter = server.ready();
            LoadReport after = driver.closedLoop(1, Duration.ofSeconds(3));
            double heldAfter = uploadBytesHeldOnceQuiet(server);
            figures.put("afterwards", Map.of("ready", readyAfter, "run", after.summary(), "uploadBytesHeld", heldAfter));
            figures.put("rssBudgetMiB", RSS_BUDGET_MIB);
            double aloneP99 = alone.p99();
            figures.put("normalP99RatioToAlone", Map.of(
                    "tricklingBodiesFirstAttack", LoadReport.round(firstAttack.p99() / aloneP99),
                    "tricklingBodies", LoadReport.round(slow.p99() / aloneP99),
                    "idleConnections", LoadReport.round(flood.p99() / aloneP99),
                    "idleConnectionsOpenedAtOnce", LoadReport.round(wave.p99() / aloneP99)));
            Reports.write("hostile", figures);

            assertThat(alone.normal().failures()).isEmpty();
            for (Phase p : List.of(firstAttack, slow, flood, wave)) {
                assertThat(p.normal().failures()).as("normal requests hung or cut off").isEmpty();
                assertThat(p.normal().unexpectedSamples()).as("normal requests answered other than 200").isEmpty();
                assertThat(p.p99()).as("normal p99, ms (%.1f alone)", aloneP99).isLessThanOrEqualTo(MAX_NORMAL_P99_MS);
            }
            assertThat(slow.hostile().keySet()).as("trickled bodies were answered 408").contains("408");
            assertThat(openAtStart[0]).as("idle connections open as the normal clients started").isEqualTo((long) IDLE_CONNECTIONS);
            assertThat((Long) wave.hostile().getOrDefault("closed by the server", 0L)).as("idle connections timed out within the phase")
                    .isGreaterThanOrEqualTo(IDLE_CONNECTIONS);
            // Any other 5xx is counted with its problem's detail, and fails this.
            assertThat(heavy.hostile().keySet()).as("burst outcomes")
                    .allMatch(k -> k.matches("(503WithoutRetryAfter|.* (200|400|413|503|cut off|closed))"));
            assertThat(burst.retryAfterMissing()).as("503s without Retry-After").isZero();
            assertThat(heavy.rssMaxMiB()).as("peak RSS in the bursts, MiB").isLessThanOrEqualTo(RSS_BUDGET_MIB);
            assertThat(server.log()).doesNotContain("OutOfMemoryError");
            assertThat(readyAfter).isTrue();
            assertThat(heldAfter).as("request-body bytes still reserved once every client has gone").isZero();
            assertThat(after.unexpectedCount()).isZero();
            assertThat(after.answered(200)).isPositive();
        }
    }

    /**
     * A phase long enough for {@link #SAMPLES_PER_PHASE} normal answers at {@code rate}, and at least
     * {@code shortest}: a p99 of fewer answers is one of their few slowest, and moved 2x between two
     * phases alone where the machine saturated at 58 requests/s (580 answers in 20 s).
     */
    static Duration phaseFor(double rate, Duration shortest) {
        int samples = Integer.getInteger("hostile.samples", SAMPLES_PER_PHASE);
        return max(shortest, Duration.ofSeconds((long) Math.ceil(samples / rate)));
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    /**
     * The upload budget still taken once the clients have gone, after the lingering closes had time
     * to end (at most 10 s): a body whose memory is never given back shrinks the budget for good.
     */
    private static double uploadBytesHeldOnceQuiet(ServerProcess server) throws Exception {
        double held = server.metric("denseserve_uploads_bytes", "");
        for (int i = 0; i < 100 && held != 0; i++) {
            Thread.sleep(100);
            held = server.metric("denseserve_uploads_bytes", "");
        }
        return held;
    }

    /** This process's open-files limit (the JVM raises its soft limit to the hard one at start). */
    private static long openFilesLimit() throws IOException {
        for (String line : Files.readAllLines(java.nio.file.Path.of("/proc/self/limits"))) {
            if (line.startsWith("Max open files")) {
                String soft = line.substring("Max open files".length()).trim().split("\\s+")[0];
                return soft.equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(soft);
            }
        }
        return Long.MAX_VALUE;
    }

    /**
     * One phase's normal clients, hostile outcomes, peak RSS, and the share of one CPU the JIT's
     * compiler threads took meanwhile (a server still compiling answers more slowly).
     */
    private record Phase(LoadReport normal, Map<String, Object> hostile, double rssMaxMiB, double jitCpuShare) {
        Map<String, Object> figures() {
            Map<String, Object> f = new LinkedHashMap<>();
            f.put("normal", normal.summary());
            f.put("hostile", hostile);
            f.put("rssMaxMiB", rssMaxMiB);
            f.put("jitCpuShare", LoadReport.round(jitCpuShare));
            return f;
        }

        double p99() {
            return normal.percentileMs(200, 99);
        }
    }

    private static Phase phase(ServerProcess server, Callable<LoadReport> normal, HostileClients hostile) throws Exception {
        LoadReport report;
        List<MemorySampler.Sample> samples;
        long start = System.nanoTime();
        double compiling = server.compilerCpuSeconds();
        try (MemorySampler memory = new MemorySampler(server, 1_000)) {
            try {
                report = normal.call();
            } finally {
                if (hostile != null) {
                    hostile.close();
                }
            }
            samples = memory.samples();
        }
        // Compiler threads the JVM stopped meanwhile take their CPU time with them: a lower bound.
        double jitShare = Math.max(0, server.compilerCpuSeconds() - compiling) / ((System.nanoTime() - start) / 1e9);
        Map<String, Object> outcomes = new LinkedHashMap<>(hostile == null ? Map.of() : hostile.outcomes());
        return new Phase(report, outcomes, MemorySampler.maxRss(samples), jitShare);
    }

    /** Gives hostile clients, already started, 3 s to connect and get going; returns {@code phase}. */
    private static Duration warmedUp(HostileClients started, Duration phase) throws InterruptedException {
        Thread.sleep(3000);
        return phase;
    }

    /**
     * At the default limits (10 MB, 20 M pixels): random bytes of the maximum size (not an image),
     * a PNG of the maximum pixel count, a PNG header declaring 10^10 pixels, and a maximum-size
     * body cut off halfway.
     */
    private static List<Burst.Upload> burstUploads() throws IOException {
        byte[] noise = new byte[10 * 1024 * 1024];
        new Random(1).nextBytes(noise);
        BufferedImage large = new BufferedImage(5000, 4000, BufferedImage.TYPE_3BYTE_BGR);
        for (int y = 0; y < large.getHeight(); y += 8) {
            for (int x = 0; x < large.getWidth(); x += 8) {
                large.setRGB(x, y, (x * 255 / 5000) << 16 | (y * 255 / 4000) << 8 | 0x80);
            }
        }
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        ImageIO.write(large, "png", png);
        Files.createDirectories(ServerProcess.REPORTS);
        return List.of(
                new Burst.Upload("max-size noise", "image/png", noise, noise.length),
                new Burst.Upload("20 MP png", "image/png", png.toByteArray(), png.size()),
                new Burst.Upload("bomb header", "image/png", Images.pngHeaderDeclaring(100_000, 100_000),
                        Images.pngHeaderDeclaring(100_000, 100_000).length),
                new Burst.Upload("cut off", "image/png", noise, noise.length / 2));
    }

}
