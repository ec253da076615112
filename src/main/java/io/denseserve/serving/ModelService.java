package io.denseserve.serving;

import ai.djl.Device;
import ai.djl.engine.Engine;
import io.denseserve.bundle.ModelBundle;
import io.denseserve.config.DenseServeProperties.DeviceChoice;
import io.denseserve.config.DenseServeProperties.EngineChoice;
import io.denseserve.config.DenseServeProperties.PrecisionChoice;
import io.denseserve.config.DenseServeProperties.VersionPolicy;
import io.denseserve.config.DenseServeProperties;
import io.denseserve.explain.ClassActivationMaps;
import io.denseserve.failure.InvalidParameterException;
import io.denseserve.failure.ModelNotFoundException;
import io.denseserve.failure.ModelNotReadyException;
import io.denseserve.fold.FoldedDenseNet;
import io.denseserve.fold.Kernel;
import io.denseserve.inference.BatchingPredictor;
import io.denseserve.inference.InferenceMetrics;
import io.denseserve.inference.WorkerLayout;
import io.denseserve.plan.CpuFeatures;
import io.denseserve.plan.InferenceEngine;
import io.denseserve.plan.InferencePlan;
import io.denseserve.plan.PlanCompiler;
import io.denseserve.plan.Precision;
import io.denseserve.preprocess.ImagePreprocessor;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.annotation.PostConstruct;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Service;

/**
 * Loads the configured models when the application is up, warms every batch size, and then serves
 * them: the models of a {@link ModelRepository}, or else one bundle, torchvision checkpoint or the
 * embedded model. Loading runs in the background so that liveness answers while a large model
 * loads; readiness ({@link ModelHealthIndicator}) turns UP only once every model is warm. A model
 * that cannot be loaded at start leaves the service alive but never ready, with the reason in the
 * health details and the log.
 *
 * <p>Later, a model of the repository can be loaded again (new versions start serving once warm,
 * versions no longer wanted are retired) or unloaded. A retired version takes no new request, drains
 * those that took it ({@link ModelUsage}) and is then freed; a load that fails changes nothing.
 */
@Service
public class ModelService implements DisposableBean {

    static final String DEFAULT_BUNDLE = "/io/denseserve/default-model";
    private static final Logger LOG = LoggerFactory.getLogger(ModelService.class);

    private final DenseServeProperties properties;
    private final MeterRegistry registry;
    private final RequestMetrics requestMetrics;
    private final ModelRepository repository;
    private final AtomicReference<ModelState> state = new AtomicReference<>(ModelState.LOADING);
    /** Name, then version, to the model serving it; replaced whole on every change, never changed in place. */
    private volatile Map<String, NavigableMap<String, ServedModel>> served = Map.of();
    /** Why the last load of each model failed, by the versions it tried, for the repository index. */
    private final Map<String, LoadFailure> loadFailures = new ConcurrentHashMap<>();

    private record LoadFailure(List<String> versions, String reason) {}
    private final Object changes = new Object();
    private RepositoryPoll poll;
    private volatile String failure;

    ModelService(DenseServeProperties properties, MeterRegistry registry, RequestMetrics requestMetrics) {
        this.properties = properties;
        this.registry = registry;
        this.requestMetrics = requestMetrics;
        Path root = properties.getModel().getRepository();
        this.repository = root == null ? null : new ModelRepository(root);
    }

    /**
     * Starts loading as soon as this service exists, while the rest of the application (the web
     * server, the actuator, the API document) is still being set up: on 2 CPUs the two overlap.
     */
    @PostConstruct
    void loadInBackground() {
        Thread loader = new Thread(this::load, "model-loader");
        loader.setDaemon(true);
        loader.start();
    }

    /** Loads, warms and starts the models; public for tests that need it synchronously. */
    public void load() {
        try {
            if (repository == null) {
                ServedModel model = start(openBundle());
                publish(model.name(), new TreeMap<>(Map.of(model.version(), model)));
            } else {
                for (String name : repository.names()) {
                    loadModel(name);
                }
            }
            String wanted = properties.getModel().getDefaultModel();
            if (wanted != null && !served.containsKey(wanted)) {
                throw new IllegalStateException("denseserve.model.default-model '" + wanted + "' is not among the models "
                        + "served: " + served.keySet());
            }
            if (served.isEmpty()) {
                throw new IllegalStateException("the model repository " + properties.getModel().getRepository()
                        + " holds no model folder");
            }
            MemoryReturn.afterLoading();
            state.set(ModelState.READY);
            pollRepository();
        } catch (IOException | RuntimeException | LinkageError e) {
            // LinkageError: libtorch's natives failed to load; the service must still say FAILED.
            failure = e.getMessage();
            state.set(ModelState.FAILED);
            LOG.error("model could not be loaded; the service stays unready: {}", e.getMessage(), e);
        }
    }

    /**
     * Loads what the repository holds for one model, as the version policy selects: versions not yet
     * served are loaded and warmed, then take the traffic at once; versions no longer selected are
     * retired, drained and freed before this returns. A version that fails to load fails the whole
     * call and changes nothing.
     *
     * @return the versions now served
     */
    public List<String> loadModel(String name) throws IOException {
        ModelRepository repository = repository();
        synchronized (changes) {
            List<String> versions = repository.versions(name);
            if (versions.isEmpty()) {
                throw new ModelNotFoundException("model '" + name + "' has no version folder in the repository");
            }
            List<String> wanted = wanted(versions);
            NavigableMap<String, ServedModel> current = served.getOrDefault(name, Collections.emptyNavigableMap());
            NavigableMap<String, ServedModel> next = new TreeMap<>(ModelRepository.VERSION_ORDER);
            try {
                for (String version : wanted) {
                    ServedModel model = current.get(version);
                    if (model == null) {
                        ModelBundle bundle = repository.open(name, version);
                        MemoryHeadroom.check(bundle);
                        model = start(bundle);
                    }
                    next.put(version, model);
                }
            } catch (IOException | RuntimeException | LinkageError e) {
                loadFailures.put(name, new LoadFailure(wanted, String.valueOf(e.getMessage())));
                next.values().stream().filter(m -> !current.containsValue(m)).forEach(ModelService::free);
                throw e;
            }
            loadFailures.remove(name);
            publish(name, next);
            current.values().stream().filter(m -> !next.containsValue(m)).forEach(this::retire);
            returnHeapWhileServing();
            return wanted;
        }
    }

    /** The versions the policy serves, of those in a model's folder (oldest first, not empty). */
    List<String> wanted(List<String> versions) {
        return properties.getModel().getVersions() == VersionPolicy.ALL ? versions
                : List.of(versions.get(versions.size() - 1));
    }

    /** With {@code denseserve.model.repository-poll} set, follows the repository's folders ({@link RepositoryPoll}). */
    private void pollRepository() {
        Duration every = properties.getModel().getRepositoryPoll();
        if (repository != null && every != null && !every.isZero()) {
            poll = new RepositoryPoll(this, repository, every);
        }
    }

    /** The repository, for a call that needs one: 404 without. */
    private ModelRepository repository() {
        if (repository == null) {
            throw new ModelNotFoundException("this server has no model repository (denseserve.model.repository)");
        }
        return repository;
    }

    /** The versions of a model served now, oldest first; empty if none. */
    public List<String> servedVersions(String name) {
        return List.copyOf(served.getOrDefault(name, Collections.emptyNavigableMap()).keySet());
    }

    /** The names of the models served now. */
    List<String> servedNames() {
        return List.copyOf(served.keySet());
    }

    /** Stops serving every version of a model: each drains the requests that took it and is freed. */
    public void unloadModel(String name) {
        synchronized (changes) {
            NavigableMap<String, ServedModel> current = served.get(name);
            if (current == null) {
                throw new ModelNotFoundException("no model '" + name + "' is loaded");
            }
            publish(name, null);
            current.values().forEach(this::retire);
            returnHeapWhileServing();
        }
    }

    /** After a load or unload while serving (not at start, which collects once at its end). */
    private void returnHeapWhileServing() {
        if (state.get() == ModelState.READY) {
            MemoryReturn.afterLoading();
        }
    }

    /** One row of the repository's index: a version folder, and whether it is served. */
    public record IndexEntry(String name, String version, String state, String reason) {}

    /** Every version folder of the repository, with its state: READY (served) or UNAVAILABLE. */
    public List<IndexEntry> index() throws IOException {
        ModelRepository repository = repository();
        List<IndexEntry> entries = new ArrayList<>();
        Map<String, NavigableMap<String, ServedModel>> now = served;
        for (String name : repository.names()) {
            for (String version : repository.versions(name)) {
                boolean ready = now.getOrDefault(name, Collections.emptyNavigableMap()).containsKey(version);
                LoadFailure failed = loadFailures.get(name);
                entries.add(new IndexEntry(name, version, ready ? "READY" : "UNAVAILABLE",
                        !ready && failed != null && failed.versions().contains(version) ? failed.reason() : ""));
            }
        }
        return entries;
    }

    private void publish(String name, NavigableMap<String, ServedModel> versions) {
        Map<String, NavigableMap<String, ServedModel>> next = new TreeMap<>(served);
        if (versions == null) {
            next.remove(name);
        } else {
            next.put(name, Collections.unmodifiableNavigableMap(versions));
        }
        served = Collections.unmodifiableMap(next);
        String defaultName = defaultName(served);
        NavigableMap<String, ServedModel> defaults = defaultName == null ? null : served.get(defaultName);
        requestMetrics.serve(defaults == null ? null : defaults.lastEntry().getValue().metrics());
    }

    /** No new request takes the model; once those that took it are answered, it is freed. */
    private void retire(ServedModel model) {
        long wait = properties.getInference().getRequestTimeout().toMillis() + 5_000;
        try {
            model.usage().retire().get(wait, TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            LOG.warn("model '{}' version '{}' still had requests {} ms after it was retired; freeing it anyway",
                    model.name(), model.version(), wait);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        free(model);
        LOG.info("model '{}' version '{}' retired and freed", model.name(), model.version());
    }

    private static void free(ServedModel model) {
        model.predictor().close();
        model.plan().close();
        model.metrics().close();
    }

    /** A model, loaded, compiled and warmed; what only loading needed is garbage once it returns. */
    private ServedModel start(ModelBundle bundle) throws IOException {
        DenseServeProperties.Inference settings = properties.getInference();
        Device device = device(settings.getDevice());
        Precision precision = precision(settings.getPrecision(), device, CpuFeatures.ofThisMachine());
        InferenceEngine engine = engine(settings.getEngine(), device, precision);
        FoldedDenseNet network = FoldedDenseNet.of(bundle.manifest().architecture(), bundle.loadWeights());
        long parameters = network.layout().parameterCount();
        ImagePreprocessor preprocessor = new ImagePreprocessor(bundle.manifest().preprocessing());
        int crop = bundle.manifest().preprocessing().crop();
        int[] inputShape = {bundle.manifest().architecture().inChannels(), crop, crop};
        WorkerLayout layout = layout(settings, device, Runtime.getRuntime().availableProcessors());
        InferencePlan plan = PlanCompiler.compile(network, engine, device, precision, inputShape, layout.threads());
        String name = bundle.manifest().name();
        String version = bundle.manifest().version();
        // the queue depth through the served map: the gauge holds no reference to the model itself
        InferenceMetrics metrics = new InferenceMetrics(registry, name, version, settings.getBatchSize(), () -> {
            ServedModel model = served.getOrDefault(name, Collections.emptyNavigableMap()).get(version);
            return model == null ? 0 : model.predictor().queueDepth();
        });
        BatchingPredictor predictor = new BatchingPredictor(plan, preprocessor.inputSize(), layout,
                settings.getBatchSize(), settings.getMaxBatchDelay(), settings.getQueueCapacity(),
                settings.getWorkerIdleTimeout(), metrics);
        state.compareAndSet(ModelState.LOADING, ModelState.WARMING_UP);
        predictor.start(settings.getBatchSize());
        Kernel classifier = network.classifier();
        ClassActivationMaps activationMaps = new ClassActivationMaps(classifier.weightAsFloat(), classifier.outputs(),
                classifier.inputs());
        LOG.info("serving model '{}' version '{}' with {} in {} on {}: {} parameters, {}, batch <= {}",
                name, version, engine.label(), precision.label(), device, parameters,
                layout.describe(), settings.getBatchSize());
        return new ServedModel(bundle.manifest(), parameters, device.toString(), preprocessor, predictor, plan,
                activationMaps, metrics, new ModelUsage());
    }

    private ModelBundle openBundle() throws IOException {
        DenseServeProperties.Model m = properties.getModel();
        if (m.getTorchvision() != null) {
            if (m.getWeights() == null) {
                throw new IllegalArgumentException("denseserve.model.torchvision needs denseserve.model.weights");
            }
            return ModelBundle.torchvision(m.getTorchvision(), m.getWeights());
        }
        if (m.getBundle() != null) {
            return ModelBundle.open(m.getBundle());
        }
        return ModelBundle.fromClasspath(DEFAULT_BUNDLE);
    }

    /**
     * Where neither {@code workers} nor {@code intra-op-threads} is set, on a CPU with at least 2:
     * two lanes of half the CPUs each, and all of them for a batch that runs alone (single-request
     * latency of one wide worker, throughput at saturation of two narrow ones, whose passes lose no
     * time when a request thread takes one of their cores). On a GPU, which has no cores to share,
     * and wherever either is set: {@code workers} x {@code intra-op-threads}.
     */
    static WorkerLayout layout(DenseServeProperties.Inference settings, Device device, int cpus) {
        boolean unset = settings.getWorkers() == 0 && settings.getIntraOpThreads() == 0;
        if (unset && !device.isGpu() && cpus >= 2) {
            return WorkerLayout.lanes(cpus);
        }
        return WorkerLayout.fixed(settings.workerCount(), settings.threadsPerWorker(cpus));
    }

    /** Only gpu and auto ask libtorch for its GPUs: the ONNX Runtime plan on CPU never loads it. */
    private static Device device(DeviceChoice choice) {
        return switch (choice) {
            case CPU -> Device.cpu();
            case GPU -> {
                if (gpuCount() == 0) {
                    throw new IllegalStateException("denseserve.inference.device=gpu but libtorch sees no GPU "
                            + "(is a CUDA build of libtorch on PYTORCH_LIBRARY_PATH?)");
                }
                yield Device.gpu();
            }
            case AUTO -> gpuCount() > 0 ? Device.gpu() : Device.cpu();
        };
    }

    private static int gpuCount() {
        return Engine.getEngine("PyTorch").getGpuCount();
    }

    /**
     * The precision a setting selects: bf16 where it runs natively (a GPU, or a CPU with bfloat16
     * instructions that oneDNN is not kept off); elsewhere fp32 with a warning, since emulated
     * bfloat16 would be slower than fp32 and less exact.
     */
    static Precision precision(PrecisionChoice choice, Device device, CpuFeatures cpu) {
        if (choice == PrecisionChoice.FP32) {
            if (!device.isGpu() && cpu.amxBf16()) {
                LOG.info("precision fp32; this CPU has {}: denseserve.inference.precision=bf16 would run DenseNet-121 "
                        + "about 2x faster at batch 8 on AMX, with top-1 agreeing on 99.9% (BENCHMARKS.md)", cpu.bf16Flags());
            }
            return Precision.FP32;
        }
        if (device.isGpu()) {
            return Precision.BF16;
        }
        if (cpu.bf16()) {
            LOG.info("precision bf16: this CPU has {}", cpu.bf16Flags());
            return Precision.BF16;
        }
        if (cpu.bf16Instructions()) {
            LOG.warn("denseserve.inference.precision=bf16: this CPU has {}, but ONEDNN_MAX_CPU_ISA={} keeps libtorch's "
                    + "kernels off them, so the model runs in fp32", cpu.bf16Flags(), cpu.oneDnnIsaLimit());
            return Precision.FP32;
        }
        LOG.warn("denseserve.inference.precision=bf16 needs a CPU with avx512_bf16 or amx_bf16 (or a GPU); this CPU "
                + "has neither, so the model runs in fp32");
        return Precision.FP32;
    }

    /**
     * The engine a setting selects: {@code auto} runs ONNX Runtime on CPU in fp32 and libtorch on GPU
     * or in bf16 (the ONNX Runtime we ship is its CPU build, without bfloat16 convolutions).
     */
    static InferenceEngine engine(EngineChoice choice, Device device, Precision precision) {
        boolean gpu = device.isGpu();
        return switch (choice) {
            case PYTORCH -> InferenceEngine.PYTORCH;
            case AUTO -> gpu || precision == Precision.BF16 ? InferenceEngine.PYTORCH : InferenceEngine.ONNXRUNTIME;
            case ONNXRUNTIME -> {
                if (gpu) {
                    throw new IllegalStateException("denseserve.inference.engine=onnxruntime runs on CPU only; "
                            + "use engine=pytorch (or auto) with device=gpu");
                }
                if (precision != Precision.FP32) {
                    throw new IllegalStateException("denseserve.inference.engine=onnxruntime runs in fp32 only; "
                            + "use engine=pytorch (or auto) with precision=" + precision.label());
                }
                yield InferenceEngine.ONNXRUNTIME;
            }
        };
    }

    public ModelState state() {
        return state.get();
    }

    /** Why loading failed (for the log: it may name files), or null. */
    public String failure() {
        return failure;
    }

    /**
     * The model a request names, taken for that request: give it back with
     * {@link ServedModel#release()} once the request is answered.
     *
     * @see #find
     */
    public ServedModel acquire(ModelAddress address) {
        while (true) {
            ServedModel model = find(address.name(), address.version());
            if (model.usage().acquire()) {
                return model;
            }
            Thread.onSpinWait(); // retired after the lookup: its successor is already published
        }
    }

    /**
     * The model a request names, without taking it (for what it says about itself).
     *
     * @param name a model's name or {@code denseserve.model.alias}; null: the default model
     * @param version null: the latest version served
     * @throws ModelNotReadyException while loading, warming, after a failure or during shutdown
     * @throws ModelNotFoundException for a name or version not served
     * @throws InvalidParameterException for no name where several models are served and none is the default
     */
    public ServedModel find(String name, String version) {
        Map<String, NavigableMap<String, ServedModel>> now = ready();
        String alias = properties.getModel().getAlias();
        String resolved = name == null || name.equals(alias) ? defaultName(now) : name;
        if (resolved == null) {
            throw new InvalidParameterException("name a model: this server serves " + now.keySet() + " and none is "
                    + "the default (denseserve.model.default-model)");
        }
        NavigableMap<String, ServedModel> versions = now.get(resolved);
        if (versions == null) {
            throw new ModelNotFoundException("no model '" + name + "'; this server serves " + now.keySet()
                    + (alias == null ? "" : " (the default is also called '" + alias + "')"));
        }
        ServedModel model = version == null ? versions.lastEntry().getValue() : versions.get(version);
        if (model == null) {
            throw new ModelNotFoundException("model '" + resolved + "' has no version '" + version + "' served; it has "
                    + versions.keySet());
        }
        return model;
    }

    /**
     * Every model and version served, by name and then version.
     *
     * @throws ModelNotReadyException while loading, warming, after a failure or during shutdown
     */
    public List<ServedModel> all() {
        return ready().values().stream().flatMap(versions -> versions.values().stream()).toList();
    }

    private Map<String, NavigableMap<String, ServedModel>> ready() {
        if (state.get() != ModelState.READY) {
            throw new ModelNotReadyException(switch (state.get()) {
                case LOADING, WARMING_UP -> "the model is still loading; retry shortly";
                case FAILED -> "the model failed to load";
                default -> "the service is shutting down";
            });
        }
        return served;
    }

    /** {@code denseserve.model.default-model}, or the only model served, or null. */
    private String defaultName(Map<String, NavigableMap<String, ServedModel>> now) {
        String configured = properties.getModel().getDefaultModel();
        if (configured != null) {
            return configured;
        }
        return now.size() == 1 ? now.keySet().iterator().next() : null;
    }

    /** Drains queued requests, stops the workers and frees the models; runs after the web server stopped. */
    @Override
    public void destroy() {
        state.set(ModelState.STOPPING);
        if (poll != null) {
            poll.close();
        }
        synchronized (changes) {
            served.values().forEach(versions -> versions.values().forEach(ModelService::free));
        }
    }
}
