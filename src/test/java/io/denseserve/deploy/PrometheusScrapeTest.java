package io.denseserve.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.denseserve.testing.Http;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.denseserve.testing.Images;
import io.denseserve.testing.TinyModelServerTest;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability;

/**
 * A real Prometheus (Debian's package) scrapes the running service, and every query of the Grafana
 * dashboard ({@code deploy/grafana/dashboards}) returns data. Grafana itself is not packaged for
 * Debian, so the dashboard is checked through its queries rather than rendered. So is the chart's
 * KEDA trigger.
 */
@AutoConfigureObservability
class PrometheusScrapeTest extends TinyModelServerTest {

    static final String PROMETHEUS = "/usr/bin/prometheus";

    @TempDir
    Path tmp;

    @Test
    void prometheusScrapesAndEveryDashboardQueryReturnsData() throws Exception {
        DeploymentFilesTest.requireTool(PROMETHEUS);
        Http http = readyService();
        int promPort = Http.freePort();
        Path config = tmp.resolve("prometheus.yml");
        Files.writeString(config, """
                global:
                  scrape_interval: 1s
                scrape_configs:
                  - job_name: denseserve
                    metrics_path: /actuator/prometheus
                    static_configs:
                      - targets: ["127.0.0.1:%d"]
                """.formatted(port));
        Process prometheus = new ProcessBuilder(PROMETHEUS, "--config.file=" + config,
                "--storage.tsdb.path=" + tmp.resolve("data"), "--web.listen-address=127.0.0.1:" + promPort)
                .redirectErrorStream(true).redirectOutput(tmp.resolve("prometheus.log").toFile()).start();
        try {
            assertThat(awaitReady(promPort, prometheus)).as("Prometheus ready; log: %s", tail(tmp.resolve("prometheus.log")))
                    .isTrue();
            String query = "histogram_quantile(0.99, sum by (le, model) (rate(denseserve_request_seconds_bucket[15s])))";
            String value = null;
            long until = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            while (value == null && System.nanoTime() < until) {
                for (int i = 0; i < 5; i++) {
                    assertThat(http.postRaw("/classify", "image/png", Images.png(32, 32)).statusCode()).isEqualTo(200);
                }
                Thread.sleep(500);
                value = firstValue(promPort, query);
            }
            assertThat(value).as("p99 from Prometheus; log: %s", tail(tmp.resolve("prometheus.log"))).isNotNull();
            assertThat(Double.parseDouble(value)).isPositive().isLessThan(30);
            assertThat(http.postRaw("/classify", "image/png", new byte[] {1, 2, 3}).statusCode())
                    .as("one bad request, for the dashboard's errors panel").isEqualTo(400);
            List<String> queries = new ArrayList<>(dashboardQueries());
            queries.add(autoscalerQueryWithoutItsPodSelector());
            for (String expr : queries) {
                String answer = null;
                long by = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while ((answer = firstValue(promPort, expr)) == null && System.nanoTime() < by) {
                    Thread.sleep(500);
                }
                assertThat(answer).as("query %s", expr).isNotNull();
            }
        } finally {
            prometheus.destroy();
            prometheus.waitFor();
        }
    }

    /**
     * The KEDA trigger's query as the chart renders it, without the namespace and pod matchers a
     * Kubernetes scrape adds: it must name a metric the service exports.
     */
    static String autoscalerQueryWithoutItsPodSelector() {
        GenericKubernetesResource scaled = HelmChartTest.one(HelmChartTest.render("keda.yaml"), GenericKubernetesResource.class);
        Map<String, Object> spec = HelmChartTest.map(scaled.getAdditionalProperties().get("spec"));
        Map<String, Object> trigger = HelmChartTest.map(((List<?>) spec.get("triggers")).get(0));
        return String.valueOf(HelmChartTest.map(trigger.get("metadata")).get("query")).replaceAll("\\{[^}]*}", "");
    }

    /** Every PromQL expression of every panel of the provisioned Grafana dashboards. */
    static List<String> dashboardQueries() throws IOException {
        List<String> queries = new ArrayList<>();
        try (Stream<Path> files = Files.list(Path.of("deploy/grafana/dashboards"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".json")).toList()) {
                for (JsonNode panel : new ObjectMapper().readTree(file.toFile()).path("panels")) {
                    panel.path("targets").forEach(t -> queries.add(t.path("expr").asText()));
                }
            }
        }
        assertThat(queries).as("dashboard queries").hasSizeGreaterThan(10);
        return queries;
    }

    /**
     * Waits up to 60 s for Prometheus's own readiness endpoint ({@code /-/ready}) to answer 200: the
     * process binds its port some time after it starts, and a query before that is refused.
     */
    static boolean awaitReady(int promPort, Process prometheus) throws InterruptedException {
        HttpClient client = HttpClient.newHttpClient();
        HttpRequest ready = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + promPort + "/-/ready"))
                .timeout(Duration.ofSeconds(5)).build();
        long until = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (prometheus.isAlive() && System.nanoTime() < until) {
            try {
                if (client.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return true;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        return false;
    }

    /** The first sample's value of an instant query, or null if none (yet) or NaN. */
    static String firstValue(int promPort, String query) throws IOException, InterruptedException {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                "http://127.0.0.1:" + promPort + "/api/v1/query?query=" + URLEncoder.encode(query, StandardCharsets.UTF_8)))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            return null;
        }
        JsonNode result = new ObjectMapper().readTree(response.body()).path("data").path("result");
        if (result.isEmpty()) {
            return null;
        }
        String v = result.get(0).path("value").get(1).asText();
        return v.equals("NaN") ? null : v;
    }

    static String tail(Path log) {
        try {
            String text = Files.readString(log);
            return text.substring(Math.max(0, text.length() - 2000));
        } catch (IOException e) {
            return "(no log)";
        }
    }
}
