package io.denseserve.reliability;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The packaged service run as an operating-system process, the way an operator runs it: its real
 * resident memory (heap plus libtorch's native allocations) can be read from {@code /proc}, and it
 * can be sent SIGTERM. The reliability tests need the jar, so they run in {@code integration-test},
 * after {@code package}.
 */
final class ServerProcess implements RunningService, AutoCloseable {

    static final Path REPORTS = Path.of("target/reliability");
    /** Passed on to the server where set: ONNX Runtime's intra-op threads spin. */
    static final String SPIN = io.denseserve.plan.OnnxRuntimePlan.SPIN_PROPERTY;

    private final Process process;
    private final int port;
    private final Path log;
    private final Path gcLog;

    private ServerProcess(Process process, int port, Path log, Path gcLog) {
        this.process = process;
        this.port = port;
        this.log = log;
        this.gcLog = gcLog;
    }

    /** The JVM options of the container image ({@code deploy/docker/jvm.options}), read by the JVM itself. */
    static final List<String> SERVICE_JVM_OPTIONS = List.of("@deploy/docker/jvm.options");

    /**
     * Starts the jar with a fixed, pre-touched 1 GiB heap, the container's JVM options and malloc
     * settings, and {@code args}; waits until readiness is UP. Pre-touched, the heap is resident
     * from the start, so growth of resident memory means native memory (libtorch, metaspace,
     * threads), not the heap's pages being touched for the first time (5 MB/min of false drift
     * without it).
     */
    static ServerProcess start(String name, String... args) throws IOException, InterruptedException {
        return start(name, SERVICE_JVM_OPTIONS, args);
    }

    /** As {@link #start(String, String...)}, with {@code jvmOptions} in place of the container's. */
    static ServerProcess start(String name, List<String> jvmOptions, String... args) throws IOException, InterruptedException {
        Files.createDirectories(REPORTS);
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path gcLog = REPORTS.resolve(name + "-gc.log");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch", "-Dai.djl.offline=true", "-Xlog:gc:file=" + gcLog));
        if (System.getProperty(SPIN) != null) { // the comparison docs/ENGINES.md describes
            command.add("-D" + SPIN + "=" + System.getProperty(SPIN));
        }
        command.addAll(jvmOptions);
        command.addAll(List.of("-jar", packagedJar().toString(), "--server.port=" + port, "--spring.main.banner-mode=off"));
        if (Arrays.stream(args).noneMatch(a -> a.startsWith("--denseserve.grpc.port="))) {
            command.add("--denseserve.grpc.port=0"); // no gRPC server unless the run asks for one
        }
        command.addAll(List.of(args));
        Path log = REPORTS.resolve(name + "-server.log");
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().put("MALLOC_MMAP_THRESHOLD_", "17179869184");
        builder.environment().put("MALLOC_TRIM_THRESHOLD_", "17179869184");
        builder.environment().put("MALLOC_ARENA_MAX", "2");
        builder.environment().put("OMP_WAIT_POLICY", "PASSIVE");
        builder.environment().put("OPT_OUT_TRACKING", "true");
        ServerProcess server = new ServerProcess(builder.start(), port, log, gcLog);
        server.awaitReady(Duration.ofMinutes(3));
        return server;
    }

    static Path packagedJar() throws IOException {
        try (Stream<Path> files = Files.list(Path.of("target"))) {
            return files.filter(p -> p.getFileName().toString().matches("denseserve-.*\\.jar")).findFirst()
                    .orElseThrow(() -> new IllegalStateException("no target/denseserve-*.jar: the reliability tests run in "
                            + "./mvnw verify, after the jar is packaged"));
        }
    }

    @Override
    public int port() {
        return port;
    }

    /** Seconds since the server's JVM started: the time line of its own logs ({@code -Xlog}, the JIT's). */
    double uptimeSeconds() {
        return (System.currentTimeMillis() - process.info().startInstant().orElseThrow().toEpochMilli()) / 1000.0;
    }

    long pid() {
        return process.pid();
    }

    /** Writes the server's threads and their stacks ({@code jcmd PID Thread.print}) to {@code REPORTS/<file>}. */
    void writeThreadDump(String file) throws IOException, InterruptedException {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        new ProcessBuilder(jcmd.toString(), String.valueOf(pid()), "Thread.print").redirectErrorStream(true)
                .redirectOutput(REPORTS.resolve(file).toFile()).start().waitFor();
    }

    /** CPU time the whole process has used (utime + stime), in seconds. */
    double cpuSeconds() throws IOException {
        return cpuSecondsOf(Path.of("/proc", String.valueOf(pid()), "stat"));
    }

    /** utime + stime of a {@code /proc} stat file (a process's or one thread's), in seconds. */
    private static double cpuSecondsOf(Path statFile) throws IOException {
        String stat = Files.readString(statFile);
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / 100.0; // clock ticks, 100 a second on Linux
    }

    /**
     * CPU time the JIT's compiler threads have used, in seconds: the threads named "C1 CompilerThre"
     * and "C2 CompilerThre" (names cut at 15 characters) in {@code /proc/PID/task}, those still running.
     */
    double compilerCpuSeconds() throws IOException {
        double seconds = 0;
        try (var tasks = Files.list(Path.of("/proc", String.valueOf(pid()), "task"))) {
            for (Path task : tasks.toList()) {
                try {
                    if (Files.readString(task.resolve("comm")).strip().matches("C[12] CompilerThre")) {
                        seconds += cpuSecondsOf(task.resolve("stat"));
                    }
                } catch (NoSuchFileException ended) {
                    // a compiler thread the JVM stopped meanwhile (it adds and removes them with demand)
                }
            }
        }
        return seconds;
    }

    /** Resident set size of the whole process ({@code VmRSS}): Java heap, JVM and native memory alike. */
    long rssBytes() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid()), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        throw new IOException("no VmRSS in /proc/" + pid() + "/status");
    }

    /** Every stop-the-world GC pause so far, in ms, in order (from the GC log: "Pause ... 12.345ms"). */
    List<Double> gcPausesMs() throws IOException {
        Matcher pause = GC_PAUSE.matcher(Files.readString(gcLog));
        List<Double> pauses = new ArrayList<>();
        while (pause.find()) {
            pauses.add(Double.parseDouble(pause.group(1)));
        }
        return pauses;
    }

    private static final Pattern GC_PAUSE = Pattern.compile("(?m) Pause .* ([0-9.]+)ms$");

    private void awaitReady(Duration limit) throws InterruptedException, IOException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!ready()) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the server exited with " + process.exitValue() + "; see " + log);
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the server was not ready within " + limit + "; see " + log);
            }
            Thread.sleep(250);
        }
    }

    /** Sends SIGTERM ({@link Process#destroy()} on Linux) and waits for the exit; returns the exit status. */
    int terminate(Duration limit) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException("the server did not exit within " + limit + " of SIGTERM; see " + log);
        }
        return process.exitValue();
    }

    String log() throws IOException {
        return Files.readString(log);
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
        }
    }
}
