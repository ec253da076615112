package io.denseserve.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.denseserve.testing.Images;
import io.denseserve.testing.Prerequisites;
import io.denseserve.training.FashionMnist;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The container image, built here from the Dockerfile by {@code scripts/build-image.sh} (Debian 12
 * bases made with debootstrap, buildah, podman), run the way a platform runs it: read-only root
 * filesystem with a tmpfs at /tmp and nothing else writable, CPU and memory limits, the image's own
 * user. Checks readiness, classification of real Fashion-MNIST images, the user, that nothing is
 * written outside /tmp, heap and inference threads following the limits, and that SIGTERM drains.
 */
class ContainerIT {

    static final String IMAGE = "localhost/denseserve:it";
    static final Map<String, Object> FIGURES = new LinkedHashMap<>();

    @BeforeAll
    static void buildTheImage() throws Exception {
        for (String tool : List.of("podman", "buildah", "debootstrap")) {
            Prerequisites.require(onPath(tool), "container run: " + tool + " is not installed (apt-get install podman buildah debootstrap)");
        }
        Prerequisites.require("root".equals(System.getProperty("user.name")),
                "container run: needs root (debootstrap and rootful podman); user is " + System.getProperty("user.name"));
        Files.createDirectories(ServerProcess.REPORTS);
        Path log = ServerProcess.REPORTS.resolve("container-build.log");
        long start = System.nanoTime();
        PodmanContainer.Result build = PodmanContainer.command(Duration.ofMinutes(30), List.of("scripts/build-image.sh", IMAGE));
        Files.writeString(log, build.output());
        assertThat(build.exit()).as("scripts/build-image.sh (log: %s): %s", log, tail(build.output())).isZero();
        FIGURES.put("buildSeconds", LoadReport.round((System.nanoTime() - start) / 1e9));
        FIGURES.put("imageBytes", Long.parseLong(PodmanContainer.podman(Duration.ofSeconds(30), "image", "inspect",
                "--format", "{{.Size}}", IMAGE).output()));
        FIGURES.put("gpuImage", build.output().lines().filter(l -> l.startsWith("GPU image")).findFirst().orElse("built"));
    }

    /** Read-only root, only /tmp writable (no other tmpfs podman would add), limits, the image's user. */
    static String[] platformOptions(String cpus, String memory, String... more) {
        List<String> options = new ArrayList<>(List.of("--read-only", "--read-only-tmpfs=false",
                "--tmpfs", "/tmp:rw,size=512m,mode=1777", "--cpus", cpus, "--memory", memory));
        options.addAll(Arrays.asList(more));
        return options.toArray(String[]::new);
    }

    @Test
    void oneCpuTwoGibibytes_runsReadOnlyAsItsUserClassifiesAndDrainsOnSigterm() throws Exception {
        Map<String, Object> figures = new LinkedHashMap<>();
        // A slow batch keeps dozens of requests queued at the moment of SIGTERM.
        try (PodmanContainer c = PodmanContainer.run("denseserve-it-1cpu", IMAGE, platformOptions("1", "2g",
                "--env", "DENSESERVE_INFERENCE_MAXBATCHDELAY=300ms", "--env", "DENSESERVE_INFERENCE_BATCHSIZE=32"))) {
            figures.put("readySeconds", LoadReport.round(c.readySeconds()));

            assertThat(c.exec("cat", "/proc/1/status").output()).as("the service process's user")
                    .containsPattern("(?m)^Uid:\\s+10001\\s+10001");
            assertThat(c.exec("id", "-u").output()).isEqualTo("10001");
            assertThat(PodmanContainer.podman(Duration.ofSeconds(30), "healthcheck", "run", c.name()).exit())
                    .as("the image's HEALTHCHECK on a ready container").isZero();

            figures.put("fashionMnistTop1Of20", classifyFashionMnist(c, 20));

            for (String path : List.of("/probe", "/app/probe", "/opt/djl/probe", "/home/denseserve/probe")) {
                PodmanContainer.Result write = c.exec("sh", "-c", "echo x > " + path);
                assertThat(write.exit()).as("writing %s", path).isNotZero();
                assertThat(write.output()).contains("Read-only file system");
            }
            assertThat(writableMounts(c)).as("the only writable filesystem").containsExactly("/tmp");
            assertThat(c.exec("ls", "-A", "/tmp").output()).as("what the service writes goes to /tmp").isNotBlank();
            // podman itself bind-mounts /etc/hosts, /etc/hostname and /etc/resolv.conf: that is its "C /etc".
            assertThat(c.diff()).as("changes to the image's filesystem").allMatch(line -> line.equals("C /etc"));

            sizing(c, 1, 2L << 30, figures);
            Duration grace = Duration.ofSeconds(45); // the chart's terminationGracePeriodSeconds
            Map<String, Object> sigterm = new LinkedHashMap<>();
            figures.put("sigterm", sigterm);
            SigtermDrain.check(c, 40, grace, () -> c.stop(grace), sigterm, "ConnectException",
                    "IOException: HTTP/1.1 header parser received no bytes");
            assertThat(c.logs()).contains("Graceful shutdown complete");
        } finally {
            FIGURES.put("oneCpuTwoGiB", figures);
            Reports.write("container", FIGURES);
        }
    }

    @Test
    void twoCpusThreeGibibytes_sizeTheHeapAndThreadsToMatch() throws Exception {
        Map<String, Object> figures = new LinkedHashMap<>();
        try (PodmanContainer c = PodmanContainer.run("denseserve-it-2cpu", IMAGE, platformOptions("2", "3g"))) {
            figures.put("readySeconds", LoadReport.round(c.readySeconds()));
            sizing(c, 2, 3L << 30, figures);
            assertThat(classifyFashionMnist(c, 5)).isGreaterThanOrEqualTo(3);
        } finally {
            FIGURES.put("twoCpusThreeGiB", figures);
            Reports.write("container", FIGURES);
        }
    }

    /**
     * The JVM and the service see the limits: CPUs; the workers' intra-op threads together = CPUs
     * (1 x 1 on one CPU, two lanes of one and a pass across both on two); heap = 40% of memory.
     */
    private static void sizing(PodmanContainer c, int cpus, long memoryBytes, Map<String, Object> figures) throws Exception {
        assertThat(c.metric("system_cpu_count", "")).as("CPUs the JVM sees").isEqualTo(cpus);
        Matcher threads = Pattern.compile("(\\d+) workers? x (\\d+) intra-op threads?(, one batch across all (\\d+))?")
                .matcher(c.logs());
        assertThat(threads.find()).as("the startup line naming workers and threads").isTrue();
        int workers = Integer.parseInt(threads.group(1));
        int perWorker = Integer.parseInt(threads.group(2));
        assertThat(workers * perWorker).as("intra-op threads of the workers together").isEqualTo(cpus);
        if (threads.group(4) != null) {
            assertThat(Integer.parseInt(threads.group(4))).as("threads of the pass across all CPUs").isEqualTo(cpus);
        }
        // Heap pools' maxima add up to the maximum heap (G1 reports -1 for its young pools).
        double heap = c.metric("jvm_memory_max_bytes", "area=\"heap\"");
        assertThat(heap / memoryBytes).as("maximum heap / memory limit").isBetween(0.35, 0.45);
        figures.put("cpusSeen", cpus);
        figures.put("workers", workers);
        figures.put("intraOpThreads", perWorker);
        figures.put("maxHeapMiB", Math.round(heap / (1 << 20)));
    }

    /** Sends the first {@code n} Fashion-MNIST test images as PNG; returns how many were classified right. */
    private static int classifyFashionMnist(PodmanContainer c, int n) throws Exception {
        Prerequisites.require(Files.exists(FashionMnist.dataDir().resolve("t10k-images-idx3-ubyte.gz")),
                "container run: dataset-fashion-mnist is not installed");
        FashionMnist test = FashionMnist.test(FashionMnist.dataDir()).head(n);
        int correct = 0;
        for (int i = 0; i < n; i++) {
            BufferedImage image = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
            image.getRaster().setDataElements(0, 0, 28, 28, Arrays.copyOfRange(test.images(), i * 784, (i + 1) * 784));
            HttpResponse<String> r = RunningService.HTTP.send(HttpRequest.newBuilder(c.uri("/classify?topK=1"))
                    .header("Content-Type", "image/png").timeout(Duration.ofSeconds(30))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(Images.encode(image, "png"))).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            Matcher index = Pattern.compile("\"top1\":\\{[^}]*\"index\":(\\d+)").matcher(r.body());
            assertThat(index.find()).as(r.body()).isTrue();
            correct += Integer.parseInt(index.group(1)) == test.labels()[i] ? 1 : 0;
        }
        assertThat(correct).as("Fashion-MNIST test images classified right by the container, of " + n).isGreaterThanOrEqualTo(n * 4 / 5);
        return correct;
    }

    /** Mount points writable by the service, leaving out the kernel's own (proc, sys, dev, cgroups). */
    private static List<String> writableMounts(PodmanContainer c) throws IOException, InterruptedException {
        return c.exec("cat", "/proc/self/mounts").output().lines().map(l -> l.split(" "))
                .filter(f -> f[3].startsWith("rw"))
                .filter(f -> !f[1].startsWith("/proc") && !f[1].startsWith("/sys") && !f[1].startsWith("/dev"))
                .map(f -> f[1]).toList();
    }

    private static boolean onPath(String tool) {
        return Arrays.stream(System.getenv().getOrDefault("PATH", "").split(":"))
                .anyMatch(dir -> Files.isExecutable(Path.of(dir, tool)));
    }

    private static String tail(String output) {
        List<String> lines = output.lines().toList();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    }
}
