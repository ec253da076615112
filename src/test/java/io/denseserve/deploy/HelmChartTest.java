package io.denseserve.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import io.denseserve.config.ConfigurationMetadata;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerBehavior;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.boot.convert.DurationStyle;
import org.yaml.snakeyaml.Yaml;

/**
 * The Helm chart, linted strictly and rendered with several value sets; every rendered manifest is
 * parsed into fabric8's typed Kubernetes model and must use no field the model does not know.
 */
class HelmChartTest {

    static final Path CHART = Path.of("helm/denseserve");
    static final Path VALUES = Path.of("src/test/resources/helm");

    static List<HasMetadata> render(String valuesFile) {
        var template = new Helm(CHART).template().withName("ds").withNamespace("ml");
        if (valuesFile != null) {
            template = template.withValuesFile(VALUES.resolve(valuesFile));
        }
        String yaml = template.call();
        List<HasMetadata> objects = new ArrayList<>();
        for (String doc : yaml.split("(?m)^---\\s*$")) {
            if (doc.strip().isEmpty() || doc.strip().lines().allMatch(l -> l.startsWith("#"))) {
                continue;
            }
            Object parsed = Serialization.unmarshal(doc);
            if (parsed instanceof HasMetadata h) {
                objects.add(h);
            } else if (parsed instanceof List<?> list) {
                list.forEach(o -> objects.add((HasMetadata) o));
            }
        }
        return objects;
    }

    static <T> T one(List<HasMetadata> objects, Class<T> type) {
        return objects.stream().filter(type::isInstance).map(type::cast).findFirst()
                .orElseThrow(() -> new AssertionError("no " + type.getSimpleName() + " rendered"));
    }

    static Map<String, String> env(Container c) {
        return c.getEnv().stream().collect(Collectors.toMap(EnvVar::getName, e -> String.valueOf(e.getValue())));
    }

    @Test
    void hasAHelmTestHook() throws Exception {
        String hook = java.nio.file.Files.readString(CHART.resolve("templates/tests/test-classify.yaml"));
        assertThat(hook).contains("\"helm.sh/hook\": test").contains("/models");
    }

    @Test
    void lintsStrictly() {
        LintResult result = new Helm(CHART).lint().strict().call();
        assertThat(result.isFailed()).as(String.join("\n", result.getMessages())).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "gpu.yaml", "custom-model.yaml", "init-container-model.yaml", "no-autoscaling.yaml",
            "keda.yaml", "prometheus-adapter.yaml", "grpc-readiness.yaml", "repository-model.yaml"})
    void everyRenderedObjectIsAKnownKubernetesType(String values) {
        List<HasMetadata> objects = render(values.isEmpty() ? null : values);
        assertThat(objects).isNotEmpty();
        for (HasMetadata o : objects) {
            if (o.getApiVersion().startsWith("monitoring.coreos.com") || o.getApiVersion().startsWith("keda.sh")) {
                continue; // a CRD: fabric8 parses it generically (the ScaledObject is checked below)
            }
            assertThat(unknownFields(o)).as("%s %s has fields its typed model does not know", o.getKind(),
                    o.getMetadata().getName()).isEmpty();
        }
    }

    @Test
    void defaultDeploymentIsHardenedProbedAndSized() {
        List<HasMetadata> objects = render(null);
        assertThat(objects.stream().map(HasMetadata::getKind)).contains(
                "Deployment", "Service", "HorizontalPodAutoscaler", "PodDisruptionBudget", "ServiceAccount");
        Deployment deployment = one(objects, Deployment.class);
        PodSpec pod = deployment.getSpec().getTemplate().getSpec();
        Container c = pod.getContainers().get(0);
        assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(c.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        assertThat(c.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
        assertThat(c.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
        assertThat(c.getVolumeMounts()).anySatisfy(m -> assertThat(m.getMountPath()).isEqualTo("/tmp"));
        assertThat(c.getStartupProbe().getHttpGet().getPath()).isEqualTo("/actuator/health/liveness");
        assertThat(c.getStartupProbe().getFailureThreshold() * c.getStartupProbe().getPeriodSeconds()).isGreaterThanOrEqualTo(120);
        assertThat(c.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/actuator/health/readiness");
        assertThat(c.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/actuator/health/liveness");
        assertThat(c.getResources().getLimits()).containsEntry("cpu", new Quantity("2")).containsKey("memory");
        assertThat(env(c)).as("threads are sized by the service from the CPU limit it sees, not re-derived here")
                .doesNotContainKeys("DENSESERVE_INFERENCE_INTRAOPTHREADS", "OMP_NUM_THREADS", "SERVER_JETTY_THREADS_MAX")
                .containsEntry("DENSESERVE_INFERENCE_DEVICE", "cpu").containsEntry("DENSESERVE_INFERENCE_ENGINE", "auto")
                .containsEntry("DENSESERVE_INFERENCE_PRECISION", "fp32")
                .doesNotContainKey("DENSESERVE_MODEL_BUNDLE");
        assertThat(c.getLifecycle().getPreStop().getExec().getCommand()).as("endpoints removed before the graceful shutdown")
                .containsExactly("sleep", "5");
        assertThat(pod.getTerminationGracePeriodSeconds()).as("pause + graceful shutdown (30s) fit in the grace period")
                .isGreaterThanOrEqualTo(5 + 30);
        assertThat(deployment.getSpec().getReplicas()).as("replicas come from the HPA").isNull();
        assertThat(deployment.getSpec().getTemplate().getMetadata().getAnnotations())
                .containsEntry("prometheus.io/path", "/actuator/prometheus");
    }

    /**
     * What the chart sets by default is what the service would do unset: each {@code DENSESERVE_*}
     * variable names a setting (configuration metadata, as docs/CONFIGURATION.md lists them) and
     * carries its default; a setting the service decides at run time (no default) is not set.
     */
    @Test
    void everyServiceSettingTheChartSetsByDefaultIsTheServicesDefault() throws Exception {
        Map<String, String> env = env(one(render(null), Deployment.class).getSpec().getTemplate().getSpec().getContainers().get(0));
        Map<String, ConfigurationMetadata.Property> settings = new TreeMap<>();
        ConfigurationMetadata.read().properties().values().forEach(p -> settings.put(p.environmentVariable(), p));
        List<String> wrong = new ArrayList<>();
        env.forEach((name, value) -> {
            if (!name.startsWith("DENSESERVE_")) {
                return;
            }
            ConfigurationMetadata.Property setting = settings.get(name);
            if (setting == null) {
                wrong.add(name + " names no setting");
            } else if (setting.defaultValue() == null) {
                wrong.add(name + " is set to " + value + ", but the service decides " + setting.name() + " itself");
            } else if (!setting.parse(value).equals(setting.parsedDefault())) {
                wrong.add(name + " is " + value + ", the service's default " + setting.defaultValue());
            }
        });
        assertThat(wrong).as("the chart's defaults against the service's").isEmpty();
        assertThat(env).containsKeys("DENSESERVE_UPLOADS_MEMORYBUDGET", "DENSESERVE_INFERENCE_QUEUECAPACITY");
    }

    @Test
    void grpcIsAContainerPortAndAServicePortAndMayProbeReadiness() {
        List<HasMetadata> objects = render(null);
        Container c = one(objects, Deployment.class).getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(c.getPorts()).anySatisfy(p -> {
            assertThat(p.getName()).isEqualTo("grpc");
            assertThat(p.getContainerPort()).isEqualTo(8081);
        });
        assertThat(one(objects, io.fabric8.kubernetes.api.model.Service.class).getSpec().getPorts())
                .anySatisfy(p -> assertThat(p.getName()).isEqualTo("grpc"));
        assertThat(c.getReadinessProbe().getHttpGet()).as("HTTP readiness by default").isNotNull();
        Container probedOverGrpc = one(render("grpc-readiness.yaml"), Deployment.class).getSpec().getTemplate().getSpec()
                .getContainers().get(0);
        assertThat(probedOverGrpc.getReadinessProbe().getGrpc().getPort()).isEqualTo(8081);
        assertThat(probedOverGrpc.getReadinessProbe().getHttpGet()).isNull();
    }

    @Test
    void connectionDefaultsAreTheServicesOwn() throws Exception {
        Map<String, String> env = env(one(render(null), Deployment.class).getSpec().getTemplate().getSpec().getContainers().get(0));
        Map<String, Object> jetty;
        try (InputStream yml = Files.newInputStream(Path.of("src/main/resources/application.yml"))) {
            Map<String, Map<String, Object>> server = new Yaml().<Map<String, Map<String, Map<String, Object>>>>load(yml).get("server");
            jetty = server.get("jetty");
        }
        assertThat(env.get("SERVER_JETTY_MAXCONNECTIONS")).isEqualTo(String.valueOf(jetty.get("max-connections")));
        assertThat(DurationStyle.detectAndParse(env.get("SERVER_JETTY_CONNECTIONIDLETIMEOUT")))
                .isEqualTo(DurationStyle.detectAndParse(String.valueOf(jetty.get("connection-idle-timeout"))));
    }

    @Test
    void gpuValuesRequestGpusAndSchedulePodsOnGpuNodes() {
        PodSpec pod = one(render("gpu.yaml"), Deployment.class).getSpec().getTemplate().getSpec();
        Container c = pod.getContainers().get(0);
        assertThat(c.getResources().getLimits()).containsEntry("nvidia.com/gpu", new Quantity("1"));
        assertThat(env(c)).containsEntry("DENSESERVE_INFERENCE_DEVICE", "gpu");
        assertThat(pod.getNodeSelector()).containsEntry("nvidia.com/gpu.present", "true");
        assertThat(pod.getTolerations()).anySatisfy(t -> assertThat(t.getKey()).isEqualTo("nvidia.com/gpu"));
    }

    @Test
    void customModelIsMountedReadOnlyAndItsSettingsReachTheService() {
        PodSpec pod = one(render("custom-model.yaml"), Deployment.class).getSpec().getTemplate().getSpec();
        Container c = pod.getContainers().get(0);
        assertThat(env(c)).containsEntry("DENSESERVE_MODEL_TORCHVISION", "densenet121")
                .containsEntry("DENSESERVE_MODEL_WEIGHTS", "/models/densenet121-a639ec97.pth")
                .containsEntry("DENSESERVE_INFERENCE_WORKERS", "2").containsEntry("DENSESERVE_INFERENCE_QUEUECAPACITY", "400");
        assertThat(c.getVolumeMounts()).anySatisfy(m -> {
            assertThat(m.getMountPath()).isEqualTo("/models");
            assertThat(m.getReadOnly()).isTrue();
        });
        assertThat(pod.getVolumes()).anySatisfy(v -> assertThat(v.getPersistentVolumeClaim())
                .isNotNull().satisfies(pvc -> assertThat(pvc.getClaimName()).isEqualTo("denseserve-models")));
    }

    @Test
    void aRepositoryFromAClaimWithItsTokenFromASecret() {
        PodSpec pod = one(render("repository-model.yaml"), Deployment.class).getSpec().getTemplate().getSpec();
        Container c = pod.getContainers().get(0);
        assertThat(env(c)).containsEntry("DENSESERVE_MODEL_REPOSITORY", "/models").containsEntry("DENSESERVE_MODEL_VERSIONS", "all")
                .containsEntry("DENSESERVE_MODEL_DEFAULTMODEL", "garments").doesNotContainKey("DENSESERVE_MODEL_BUNDLE");
        assertThat(c.getEnv()).anySatisfy(e -> {
            assertThat(e.getName()).isEqualTo("DENSESERVE_MANAGEMENT_TOKEN");
            assertThat(e.getValue()).isNull();
            assertThat(e.getValueFrom().getSecretKeyRef().getName()).isEqualTo("denseserve-management");
            assertThat(e.getValueFrom().getSecretKeyRef().getKey()).isEqualTo("token");
        });
        assertThat(env(c)).containsEntry("DENSESERVE_MANAGEMENT_PORT", "8082");
        assertThat(c.getPorts()).anySatisfy(p -> assertThat(p.getContainerPort()).isEqualTo(8082));
        assertThat(one(render("repository-model.yaml"), io.fabric8.kubernetes.api.model.Service.class).getSpec().getPorts())
                .as("the management port stays out of the Service").noneSatisfy(p -> assertThat(p.getPort()).isEqualTo(8082));
        assertThat(env(one(render(null), Deployment.class).getSpec().getTemplate().getSpec().getContainers().get(0)))
                .as("no token by default: management is off").doesNotContainKey("DENSESERVE_MANAGEMENT_TOKEN");
    }

    @Test
    void initContainerModelFillsAnEmptyDir() {
        PodSpec pod = one(render("init-container-model.yaml"), Deployment.class).getSpec().getTemplate().getSpec();
        assertThat(pod.getInitContainers()).singleElement().satisfies(i -> {
            assertThat(i.getName()).isEqualTo("fetch-model");
            assertThat(i.getVolumeMounts()).anySatisfy(m -> assertThat(m.getMountPath()).isEqualTo("/models"));
        });
        assertThat(env(pod.getContainers().get(0))).containsEntry("DENSESERVE_MODEL_BUNDLE", "/models/my-bundle");
        assertThat(pod.getVolumes()).anySatisfy(v -> assertThat(v.getEmptyDir()).isNotNull());
    }

    @Test
    void withoutAutoscalingReplicasAreFixedAndMonitoringObjectsAppear() {
        List<HasMetadata> objects = render("no-autoscaling.yaml");
        assertThat(objects.stream().map(HasMetadata::getKind)).doesNotContain("HorizontalPodAutoscaler")
                .contains("Ingress", "ServiceMonitor");
        Deployment deployment = one(objects, Deployment.class);
        assertThat(deployment.getSpec().getReplicas()).isEqualTo(3);
        assertThat(env(deployment.getSpec().getTemplate().getSpec().getContainers().get(0)))
                .containsEntry("DENSESERVE_INFERENCE_INTRAOPTHREADS", "1");
    }

    @Test
    void kedaScalesOnClassificationsInFlightPerPodFromPrometheus() {
        List<HasMetadata> objects = render("keda.yaml");
        assertThat(objects.stream().map(HasMetadata::getKind)).contains("ScaledObject").doesNotContain("HorizontalPodAutoscaler");
        assertThat(one(objects, Deployment.class).getSpec().getReplicas()).as("replicas come from KEDA").isNull();
        GenericKubernetesResource scaled = one(objects, GenericKubernetesResource.class);
        assertThat(scaled.getApiVersion()).isEqualTo("keda.sh/v1alpha1");
        Map<String, Object> spec = map(scaled.getAdditionalProperties().get("spec"));
        assertThat(spec.keySet()).as("fields of KEDA's v1alpha1 ScaledObjectSpec").isSubsetOf(KEDA_SPEC_FIELDS);
        assertThat(map(spec.get("scaleTargetRef"))).containsEntry("name", "ds-denseserve");
        assertThat(spec).containsEntry("minReplicaCount", 2).containsEntry("maxReplicaCount", 20);
        HorizontalPodAutoscalerBehavior behavior = Serialization.unmarshal(Serialization.asYaml(
                map(map(spec.get("advanced")).get("horizontalPodAutoscalerConfig")).get("behavior")),
                HorizontalPodAutoscalerBehavior.class);
        assertThat(unknownFields(behavior)).as("an autoscaling/v2 HPA behavior").isEmpty();
        assertThat(behavior.getScaleUp().getStabilizationWindowSeconds()).isZero();
        assertThat(behavior.getScaleDown().getStabilizationWindowSeconds()).isEqualTo(300);
        List<?> triggers = (List<?>) spec.get("triggers");
        assertThat(triggers).hasSize(1);
        Map<String, Object> trigger = map(triggers.get(0));
        assertThat(trigger).containsEntry("type", "prometheus").containsEntry("metricType", "AverageValue");
        Map<String, Object> metadata = map(trigger.get("metadata"));
        assertThat(metadata.keySet()).isSubsetOf(Set.of("serverAddress", "query", "threshold", "activationThreshold",
                "namespace", "customHeaders", "ignoreNullValues", "unsafeSsl", "queryParameters"));
        assertThat(metadata).containsEntry("serverAddress", "http://prometheus-operated.monitoring.svc:9090")
                .containsEntry("threshold", "8")
                .containsEntry("query", "sum(avg_over_time(denseserve_requests_in_flight{namespace=\"ml\",pod=~\"ds-denseserve-.*\"}[1m]))");
    }

    @Test
    void kedaWithoutAPrometheusAddressDoesNotRender() {
        assertThatThrownBy(() -> new Helm(CHART).template().withName("ds").set("autoscaling.signal", "keda").call())
                .hasMessageContaining("autoscaling.keda.prometheusAddress is required");
    }

    @Test
    void prometheusAdapterHpaScalesOnThePerPodMetric() {
        List<HasMetadata> objects = render("prometheus-adapter.yaml");
        HorizontalPodAutoscaler hpa = one(objects, HorizontalPodAutoscaler.class);
        assertThat(hpa.getSpec().getMetrics()).singleElement().satisfies(m -> {
            assertThat(m.getType()).isEqualTo("Pods");
            assertThat(m.getPods().getMetric().getName()).isEqualTo("denseserve_requests_in_flight");
            assertThat(m.getPods().getTarget().getType()).isEqualTo("AverageValue");
            assertThat(m.getPods().getTarget().getAverageValue()).isEqualTo(new Quantity("24"));
        });
        assertThat(hpa.getSpec().getBehavior().getScaleUp().getStabilizationWindowSeconds()).isZero();
        assertThat(objects.stream().map(HasMetadata::getKind)).doesNotContain("ScaledObject");
    }

    @Test
    void theDefaultAutoscalerIsTheCpuHpa() {
        HorizontalPodAutoscaler hpa = one(render(null), HorizontalPodAutoscaler.class);
        assertThat(hpa.getSpec().getMetrics()).singleElement()
                .satisfies(m -> assertThat(m.getResource().getName()).isEqualTo("cpu"));
        assertThat(hpa.getSpec().getBehavior()).as("Kubernetes' default behaviour for the CPU HPA").isNull();
    }

    /** ScaledObjectSpec's fields in KEDA 2.x (keda.sh/v1alpha1). */
    static final Set<String> KEDA_SPEC_FIELDS = Set.of("scaleTargetRef", "pollingInterval", "initialCooldownPeriod",
            "cooldownPeriod", "idleReplicaCount", "minReplicaCount", "maxReplicaCount", "advanced", "triggers", "fallback");

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object o) {
        return (Map<String, Object>) o;
    }

    /** Paths of fields that fabric8 parked in an additionalProperties map: fields no Kubernetes type has. */
    static List<String> unknownFields(Object root) {
        List<String> unknown = new ArrayList<>();
        walk(root, "", unknown, java.util.Collections.newSetFromMap(new IdentityHashMap<>()));
        return unknown;
    }

    private static void walk(Object o, String path, List<String> unknown, Set<Object> seen) {
        if (o == null || !seen.add(o)) {
            return;
        }
        if (o instanceof Collection<?> c) {
            int i = 0;
            for (Object item : c) {
                walk(item, path + "[" + i++ + "]", unknown, seen);
            }
            return;
        }
        if (o instanceof Map<?, ?> m) {
            m.forEach((k, v) -> walk(v, path + "." + k, unknown, seen));
            return;
        }
        if (!(o instanceof KubernetesResource) || !o.getClass().getName().startsWith("io.fabric8")) {
            return;
        }
        for (Method getter : o.getClass().getMethods()) {
            if (getter.getParameterCount() != 0 || !getter.getName().startsWith("get") || getter.getName().equals("getClass")) {
                continue;
            }
            try {
                Object value = getter.invoke(o);
                if (getter.getName().equals("getAdditionalProperties")) {
                    if (value instanceof Map<?, ?> extra && !extra.isEmpty()) {
                        unknown.add(path + " " + extra.keySet());
                    }
                } else {
                    walk(value, path + "." + getter.getName().substring(3), unknown, seen);
                }
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
