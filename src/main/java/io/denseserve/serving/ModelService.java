package io.denseserve.serving;

import ai.djl.Device;
import ai.djl.engine.Engine;
import io.denseserve.bundle.ModelBundle;
import io.denseserve.config.DenseServeProperties.DeviceChoice;
import io.denseserve.config.DenseServeProperties.EngineChoice;
import io.denseserve.config.DenseServeProperties.PrecisionChoice;
import io.denseserve.config.DenseServeProperties;
import io.denseserve.explain.ClassActivationMaps;
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
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Service;

/**
 * Loads the configured model when the application is up, warms every batch size, and then serves
 * it. Loading runs in the background so that liveness answers while a large model loads; readiness
 * ({@link ModelHealthIndicator}) turns UP only once warm. A model that cannot be loaded leaves the
 * service alive but never ready, with the reason in the health details and the log.
 */
@Service
public class ModelService implements DisposableBean {

    static final String DEFAULT_BUNDLE = "/io/denseserve/default-model";
    private static final Logger LOG = LoggerFactory.getLogger(ModelService.class);

    private final DenseServeProperties properties;
    private final MeterRegistry registry;
    private final RequestMetrics requestMetrics;
    private final AtomicReference<ModelState> state = new AtomicReference<>(ModelState.LOADING);
    private volatile ServedModel served;
    private volatile String failure;

    ModelService(DenseServeProperties properties, MeterRegistry registry, RequestMetrics requestMetrics) {
        this.properties = properties;
        this.registry = registry;
        this.requestMetrics = requestMetrics;
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

    /** Loads, warms and starts the model; public for tests that need it synchronously. */
    public void load() {
        try {
            served = start();
            returnLoadingHeap();
            state.set(ModelState.READY);
        } catch (IOException | RuntimeException | LinkageError e) {
            // LinkageError: libtorch's natives failed to load; the service must still say FAILED.
            failure = e.getMessage();
            state.set(ModelState.FAILED);
            LOG.error("model could not be loaded; the service stays unready: {}", e.getMessage(), e);
        }
    }

    /** The configured model, loaded, compiled and warmed; what only loading needed is garbage once it returns. */
    private ServedModel start() throws IOException {
        ModelBundle bundle = openBundle();
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
        InferenceMetrics metrics = new InferenceMetrics(registry, bundle.manifest().name(), settings.getBatchSize(),
                () -> served == null ? 0 : served.predictor().queueDepth());
        BatchingPredictor predictor = new BatchingPredictor(plan, preprocessor.inputSize(), layout,
                settings.getBatchSize(), settings.getMaxBatchDelay(), settings.getQueueCapacity(), metrics);
        state.set(ModelState.WARMING_UP);
        predictor.start(settings.getBatchSize());
        plan.passesOpened();
        Kernel classifier = network.classifier();
        ClassActivationMaps activationMaps = new ClassActivationMaps(classifier.weightAsFloat(), classifier.outputs(),
                classifier.inputs());
        requestMetrics.serve(metrics);
        LOG.info("serving model '{}' with {} in {} on {}: {} parameters, {}, batch <= {}",
                bundle.manifest().name(), engine.label(), precision.label(), device, parameters, layout.describe(),
                settings.getBatchSize());
        return new ServedModel(bundle.manifest(), parameters, device.toString(), preprocessor, predictor, plan,
                activationMaps);
    }

    /**
     * One full collection before the service reports ready. Loading a checkpoint, folding it and
     * writing the plan's graph churns through several copies of the weights: G1 grows the heap to
     * about 1 GB for DenseNet-121 while the plan needs a few tens of MB, and a young-only workload
     * never gives that memory back (G1 shrinks the heap after a full collection). It costs a pause
     * of 45-105 ms while nothing is served yet; BENCHMARKS.md §3 gives the heap it leaves.
     *
     * <p>HotSpot skips a requested collection while another thread is inside a JNI critical region
     * (its GC locker), as the main thread often is here, inflating classes from the jar while the
     * context starts; {@code System.gc()} then returns having done nothing. So the request is
     * repeated, a few milliseconds apart, until the collectors count one more collection.
     */
    private static void returnLoadingHeap() {
        for (int attempt = 0; attempt < 40; attempt++) {
            long before = collections();
            System.gc();
            if (collections() > before) {
                return;
            }
            LockSupport.parkNanos(5_000_000);
        }
        LOG.warn("the JVM skipped every full collection asked for after loading; the heap keeps what loading grew it to");
    }

    private static long collections() {
        return ManagementFactory.getGarbageCollectorMXBeans().stream()
                .mapToLong(GarbageCollectorMXBean::getCollectionCount).sum();
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
     * The served model.
     *
     * @throws ModelNotReadyException while loading, warming, after a failure or during shutdown
     */
    public ServedModel current() {
        ServedModel model = served;
        if (model == null || state.get() != ModelState.READY) {
            throw new ModelNotReadyException(switch (state.get()) {
                case LOADING, WARMING_UP -> "the model is still loading; retry shortly";
                case FAILED -> "the model failed to load";
                default -> "the service is shutting down";
            });
        }
        return model;
    }

    /** Drains queued requests, stops the workers and frees the model; runs after the web server stopped. */
    @Override
    public void destroy() {
        ServedModel model = served;
        state.set(ModelState.STOPPING);
        if (model != null) {
            model.predictor().close();
            model.plan().close();
        }
    }
}
