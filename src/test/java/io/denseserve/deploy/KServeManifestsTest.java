package io.denseserve.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.denseserve.config.DenseServeProperties;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/**
 * {@code deploy/kserve}: a ServingRuntime and an InferenceService that run the image under KServe
 * with the Open Inference Protocol. Parsed, checked against the fields KServe's types define (the
 * pod parts against fabric8's typed Kubernetes model), and against each other and the service:
 * the runtime's arguments bind to real settings, its probe is a v2 endpoint, the model is where
 * KServe's storage initializer puts it.
 */
class KServeManifestsTest {

    static final Path DIR = Path.of("deploy/kserve");

    /** ServingRuntimeSpec (serving.kserve.io/v1alpha1), its pod spec inlined. */
    static final Set<String> RUNTIME_SPEC = Set.of("supportedModelFormats", "multiModel", "disabled", "protocolVersions",
            "grpcEndpoint", "grpcDataEndpoint", "httpDataEndpoint", "replicas", "storageHelper", "builtInAdapter",
            "containers", "volumes", "nodeSelector", "affinity", "tolerations", "labels", "annotations",
            "imagePullSecrets", "workerSpec", "hostIPC");
    /** PredictorSpec's fields used here, and ModelSpec's (serving.kserve.io/v1beta1). */
    static final Set<String> PREDICTOR = Set.of("model", "minReplicas", "maxReplicas", "scaleTarget", "scaleMetric",
            "containerConcurrency", "timeout", "canaryTrafficPercent", "serviceAccountName", "nodeSelector", "tolerations");
    static final Set<String> MODEL = Set.of("modelFormat", "runtime", "protocolVersion", "storageUri", "resources", "env",
            "args", "image");

    @Test
    void theServingRuntimeRunsTheImageOnTheOpenInferenceProtocol() throws IOException {
        GenericKubernetesResource runtime = load("servingruntime.yaml");
        assertThat(runtime.getApiVersion()).isEqualTo("serving.kserve.io/v1alpha1");
        assertThat(runtime.getKind()).isEqualTo("ServingRuntime");
        Map<String, Object> spec = map(runtime.getAdditionalProperties().get("spec"));
        assertThat(spec.keySet()).isSubsetOf(RUNTIME_SPEC);
        assertThat(list(spec.get("protocolVersions"))).containsExactly("v2", "grpc-v2");
        for (Object format : list(spec.get("supportedModelFormats"))) {
            assertThat(map(format).keySet()).isSubsetOf(Set.of("name", "version", "autoSelect", "priority"));
        }
        List<Object> containers = list(spec.get("containers"));
        assertThat(containers).hasSize(1);
        Container container = Serialization.unmarshal(Serialization.asYaml(containers.get(0)), Container.class);
        assertThat(HelmChartTest.unknownFields(container)).as("a Kubernetes container").isEmpty();
        assertThat(container.getName()).isEqualTo("kserve-container");
        assertThat(container.getImage()).as("what scripts/build-image.sh tags").isEqualTo("localhost/denseserve:0.1.0");
        assertThat(container.getPorts()).extracting(p -> p.getContainerPort()).containsExactly(8080, 8081);
        assertThat(container.getPorts().get(1).getName()).as("KServe routes grpc-v2 to the port named h2c").isEqualTo("h2c");
        assertThat(container.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/v2/health/ready");
        assertThat(container.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        assertThat(container.getSecurityContext().getRunAsUser()).isEqualTo(10001L);
        assertThat(container.getVolumeMounts()).anySatisfy(m -> assertThat(m.getMountPath()).isEqualTo("/tmp"));
        for (Object volume : list(spec.get("volumes"))) {
            assertThat(HelmChartTest.unknownFields(Serialization.unmarshal(Serialization.asYaml(volume), Volume.class))).isEmpty();
        }

        DenseServeProperties settings = bind(container.getArgs());
        assertThat(settings.getModel().getBundle()).as("where KServe's storage initializer puts the model")
                .isEqualTo(Path.of("/mnt/models"));
        assertThat(settings.getModel().getAlias()).as("KServe's placeholder for the InferenceService's name").isEqualTo("{{.Name}}");
    }

    @Test
    void theInferenceServiceUsesThatRuntimeFormatAndProtocol() throws IOException {
        GenericKubernetesResource service = load("inferenceservice.yaml");
        assertThat(service.getApiVersion()).isEqualTo("serving.kserve.io/v1beta1");
        assertThat(service.getKind()).isEqualTo("InferenceService");
        Map<String, Object> predictor = map(map(service.getAdditionalProperties().get("spec")).get("predictor"));
        assertThat(predictor.keySet()).isSubsetOf(PREDICTOR);
        Map<String, Object> model = map(predictor.get("model"));
        assertThat(model.keySet()).isSubsetOf(MODEL);
        assertThat(model).containsEntry("protocolVersion", "v2");

        GenericKubernetesResource runtime = load("servingruntime.yaml");
        Map<String, Object> runtimeSpec = map(runtime.getAdditionalProperties().get("spec"));
        assertThat(model).containsEntry("runtime", runtime.getMetadata().getName());
        assertThat(list(runtimeSpec.get("supportedModelFormats"))).extracting(f -> map(f).get("name"))
                .contains(map(model.get("modelFormat")).get("name"));
        assertThat(String.valueOf(model.get("storageUri"))).matches("(pvc|s3|gs|https?)://.+");
    }

    /** The container's {@code --name=value} arguments bound to the service's settings, as Spring Boot binds them. */
    static DenseServeProperties bind(List<String> args) {
        Map<String, String> values = new LinkedHashMap<>();
        for (String arg : args) {
            assertThat(arg).startsWith("--denseserve.").contains("=");
            values.put(arg.substring(2, arg.indexOf('=')), arg.substring(arg.indexOf('=') + 1));
        }
        DenseServeProperties bound = new Binder(new MapConfigurationPropertySource(values))
                .bind("denseserve", DenseServeProperties.class).orElseThrow(IllegalStateException::new);
        assertThat(values).as("every argument names a setting").hasSize(args.size());
        return bound;
    }

    static GenericKubernetesResource load(String file) throws IOException {
        return Serialization.unmarshal(Files.readString(DIR.resolve(file)), GenericKubernetesResource.class);
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object o) {
        return (Map<String, Object>) o;
    }

    @SuppressWarnings("unchecked")
    static List<Object> list(Object o) {
        return (List<Object>) o;
    }
}
