package io.denseserve.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import io.denseserve.testing.Prerequisites;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The compose file validates with {@code docker-compose config}; the Dockerfiles pass our lint
 * rules (hadolint is not packaged for Debian 12, so its most important rules are checked here);
 * the JVM options file the image runs with is one this JVM accepts;
 * the Grafana dashboard is well-formed and uses only metrics the service exports.
 */
class DeploymentFilesTest {

    static void requireTool(String tool) {
        Prerequisites.require(Files.isExecutable(Path.of(tool)), tool + " not installed (.ci/run installs it)");
    }

    /** Runs {@code command}, requires it to exit 0 within a minute, and returns its output (stdout and stderr). */
    private static String runSucceeds(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(output).isZero();
        return output;
    }

    @Test
    void composeFileValidates() throws Exception {
        requireTool("/usr/bin/docker-compose");
        runSucceeds("/usr/bin/docker-compose", "-f", "docker-compose.yml", "config", "-q");
        String compose = Files.readString(Path.of("docker-compose.yml"));
        assertThat(compose).contains("prometheus.yml", "provisioning", "read_only: true", "cap_drop");
    }

    @ParameterizedTest
    @ValueSource(strings = {"Dockerfile", "Dockerfile.gpu"})
    void dockerfilePassesLintRules(String file) throws Exception {
        List<String> lines = Files.readAllLines(Path.of(file));
        String text = String.join("\n", lines);
        Matcher from = Pattern.compile("(?m)^FROM\\s+(\\S+)").matcher(text);
        int stages = 0;
        while (from.find()) {
            stages++;
            assertThat(from.group(1)).as("FROM must not use :latest").doesNotEndWith(":latest");
        }
        assertThat(stages).as("multi-stage build").isGreaterThanOrEqualTo(2);
        Matcher arg = Pattern.compile("(?m)^ARG\\s+\\w+_IMAGE=(\\S+)").matcher(text);
        while (arg.find()) {
            assertThat(arg.group(1)).as("base images are pinned to a tag").matches(".+:[\\w.-]+").doesNotEndWith(":latest");
        }
        assertThat(text).as("runs as a non-root user").containsPattern("(?m)^USER\\s+(?!root|0\\b)\\S+");
        assertThat(text).as("has a HEALTHCHECK on readiness").contains("HEALTHCHECK").contains("/actuator/health/readiness");
        assertThat(text).as("ENTRYPOINT in exec form").containsPattern("(?m)^ENTRYPOINT \\[");
        assertThat(text).as("COPY, not ADD").doesNotContainPattern("(?m)^ADD ");
        assertThat(text).as("builds with the Maven wrapper").contains("./mvnw");
        if (text.contains("apt-get install")) {
            assertThat(text).as("apt: no recommends, lists removed").contains("--no-install-recommends").contains("rm -rf /var/lib/apt/lists");
        }
        assertThat(Files.isExecutable(Path.of("deploy/docker/entrypoint.sh"))).isTrue();
        assertThat(text).as("the image holds the JVM options file its entrypoint reads").contains("deploy/docker/jvm.options");
    }

    @Test
    void jvmOptionsFileIsReadByTheEntrypointAndAcceptedByTheJvm() throws Exception {
        assertThat(Files.readString(Path.of("deploy/docker/entrypoint.sh"))).contains("java @/app/jvm.options ");
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        // An unknown or misspelled option makes the JVM exit non-zero.
        String output = runSucceeds(java.toString(), "@deploy/docker/jvm.options", "-XX:+PrintFlagsFinal", "-version");
        assertThat(output).containsPattern("G1HeapRegionSize += 4194304 +\\{product\\} \\{command line\\}");
    }

    @Test
    void grafanaDashboardUsesOnlyExportedMetrics() throws Exception {
        JsonNode dashboard = new ObjectMapper().readTree(Path.of("deploy/grafana/dashboards/denseserve.json").toFile());
        assertThat(dashboard.path("panels").size()).isGreaterThanOrEqualTo(6);
        List<String> exported = List.of("denseserve_requests_total", "denseserve_request_seconds_bucket",
                "denseserve_queue_wait_seconds_bucket", "denseserve_inference_seconds_bucket",
                "denseserve_preprocess_seconds_bucket", "denseserve_batch_size_sum", "denseserve_batch_size_count",
                "denseserve_queue_depth", "process_resident_memory_bytes", "jvm_memory_used_bytes");
        Pattern metric = Pattern.compile("\\b(denseserve_\\w+|process_\\w+|jvm_\\w+)");
        for (JsonNode panel : dashboard.path("panels")) {
            for (JsonNode target : panel.path("targets")) {
                Matcher m = metric.matcher(target.path("expr").asText());
                while (m.find()) {
                    assertThat(exported).as("panel '%s'", panel.path("title").asText()).contains(m.group(1));
                }
            }
        }
    }
}
