package io.denseserve.reliability;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The image run by podman as a platform would run it (read-only root filesystem, CPU and memory
 * limits), published on a free loopback port. Rootful podman with {@code deploy/podman/containers.conf}.
 */
final class PodmanContainer implements RunningService, AutoCloseable {

    static final Path CONF = Path.of("deploy/podman/containers.conf");

    record Result(int exit, String output) {}

    private final String name;
    private final int port;
    private double readySeconds;

    private PodmanContainer(String name, int port) {
        this.name = name;
        this.port = port;
    }

    /** {@code podman run -d} with {@code options}; returns once readiness is UP (or fails with the logs). */
    static PodmanContainer run(String name, String image, String... options) throws IOException, InterruptedException {
        podman(Duration.ofSeconds(30), "rm", "--force", "--ignore", name);
        int port = io.denseserve.testing.Http.freePort();
        List<String> args = new ArrayList<>(List.of("run", "--detach", "--name", name, "--publish", "127.0.0.1:" + port + ":8080"));
        args.addAll(Arrays.asList(options));
        args.add(image);
        long start = System.nanoTime();
        Result run = podman(Duration.ofMinutes(1), args.toArray(String[]::new));
        if (run.exit() != 0) {
            throw new IllegalStateException("podman run failed: " + run.output());
        }
        PodmanContainer container = new PodmanContainer(name, port);
        long deadline = start + TimeUnit.MINUTES.toNanos(3);
        while (!container.ready()) {
            if (System.nanoTime() > deadline || !"running".equals(container.inspect("{{.State.Status}}"))) {
                throw new IllegalStateException("container " + name + " not ready: " + container.logs());
            }
            Thread.sleep(100);
        }
        container.readySeconds = (System.nanoTime() - start) / 1e9;
        return container;
    }

    /** Runs {@code podman args}, output and errors together, failing past {@code limit}. */
    static Result podman(Duration limit, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("podman"));
        command.addAll(Arrays.asList(args));
        return command(limit, command);
    }

    static Result command(Duration limit, List<String> command) throws IOException, InterruptedException {
        Path out = Files.createTempFile("podman", ".out");
        try {
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile());
            builder.environment().putIfAbsent("CONTAINERS_CONF", CONF.toAbsolutePath().toString());
            Process process = builder.start();
            if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(command + " did not finish within " + limit + ": " + Files.readString(out));
            }
            return new Result(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8).strip());
        } finally {
            Files.deleteIfExists(out);
        }
    }

    @Override
    public int port() {
        return port;
    }

    String name() {
        return name;
    }

    /** From {@code podman run} to readiness UP. */
    double readySeconds() {
        return readySeconds;
    }

    Result exec(String... command) throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of("exec", name));
        args.addAll(Arrays.asList(command));
        return podman(Duration.ofSeconds(30), args.toArray(String[]::new));
    }

    String inspect(String format) throws IOException, InterruptedException {
        return podman(Duration.ofSeconds(30), "inspect", "--format", format, name).output();
    }

    String logs() throws IOException, InterruptedException {
        return podman(Duration.ofSeconds(30), "logs", name).output();
    }

    /** Paths added (A), changed (C) or deleted (D) in the container's filesystem, one per line. */
    List<String> diff() throws IOException, InterruptedException {
        String out = podman(Duration.ofSeconds(30), "diff", name).output();
        return out.isEmpty() ? List.of() : List.of(out.split("\n"));
    }

    /** {@code podman stop}: SIGTERM, then SIGKILL after {@code grace}; returns the exit status. */
    int stop(Duration grace) throws IOException, InterruptedException {
        podman(grace.plusSeconds(30), "stop", "--time", String.valueOf(grace.toSeconds()), name);
        return Integer.parseInt(inspect("{{.State.ExitCode}}"));
    }

    @Override
    public void close() throws IOException, InterruptedException {
        podman(Duration.ofSeconds(60), "rm", "--force", "--ignore", name);
    }
}
