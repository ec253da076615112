package io.denseserve.config;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.nio.file.Path;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * Every DenseServe setting, under {@code denseserve.*} (environment: {@code DENSESERVE_*}).
 * Unknown keys are an error, so a typo cannot silently fall back to a default.
 */
@Validated
@ConfigurationProperties(prefix = "denseserve", ignoreUnknownFields = false)
public class DenseServeProperties {

    /** Which model to serve. */
    private final Model model = new Model();

    /** Worker pool, batching and admission control. */
    private final Inference inference = new Inference();

    /** Upload limits. */
    private final Limits limits = new Limits();

    /** How slowly and how much request bodies may arrive. */
    private final Uploads uploads = new Uploads();

    /** The Open Inference Protocol over gRPC. */
    private final Grpc grpc = new Grpc();

    /** Who may load and unload models. */
    private final Management management = new Management();

    public Model getModel() {
        return model;
    }

    public Inference getInference() {
        return inference;
    }

    public Limits getLimits() {
        return limits;
    }

    public Uploads getUploads() {
        return uploads;
    }

    public Grpc getGrpc() {
        return grpc;
    }

    public Management getManagement() {
        return management;
    }

    /** Which versions of each model in a repository are served. */
    public enum VersionPolicy {
        /** The highest version of each model (numbers by value, other names after them, alphabetically). */
        LATEST,
        /** Every version folder of each model. */
        ALL
    }

    /** Who may load and unload models. */
    public static class Management {
        /**
         * Bearer token of the Open Inference Protocol's repository extension
         * ({@code /v2/repository/...}: index, load, unload); unset, those endpoints are off.
         */
        private String token;
        /**
         * A port of its own for the repository extension, which then answers there only (a
         * Kubernetes Service or a firewall can leave it out); 0: the service's port.
         */
        @Min(0)
        @Max(65535)
        private int port;

        public int getPort() {
            return port;
        }

        public void setPort(int port) {
            this.port = port;
        }

        public String getToken() {
            return token;
        }

        public void setToken(String token) {
            this.token = token;
        }
    }

    /** Where the weights come from; with nothing set, the embedded Fashion-MNIST bundle is served. */
    public static class Model {
        /** A model bundle directory or zip (manifest.json + safetensors). */
        private Path bundle;
        /** A torchvision ImageNet variant to serve from {@link #weights}: densenet121, -161, -169 or -201. */
        private String torchvision;
        /** The torchvision checkpoint (.pth, safetensors or npz) for {@link #torchvision}. */
        private Path weights;
        /**
         * Another name the Open Inference Protocol's {@code /v2/models/{name}} answers to, besides the
         * bundle's own (KServe addresses a model by its InferenceService's name).
         */
        private String alias;
        /**
         * A model repository: a directory of {@code <name>/<version>/} folders, each holding a bundle
         * (manifest.json and its weights) or a torchvision checkpoint with a {@code torchvision.json}
         * naming its variant. Set, the service serves the models in it instead of {@code bundle},
         * {@code torchvision} or the embedded model.
         */
        private Path repository;
        /**
         * How often to look at the repository: new version folders are loaded, models whose folder is
         * gone unloaded. Unset: never; loads and unloads come from the repository extension only.
         */
        private Duration repositoryPoll;
        /** Which versions of each model in the repository are served: latest or all. */
        @NotNull
        private VersionPolicy versions = VersionPolicy.LATEST;
        /**
         * The model a request that names none is served by (by name); unset, the only model served.
         */
        private String defaultModel;

        public Path getRepository() {
            return repository;
        }

        public void setRepository(Path repository) {
            this.repository = repository;
        }

        public Duration getRepositoryPoll() {
            return repositoryPoll;
        }

        public void setRepositoryPoll(Duration repositoryPoll) {
            this.repositoryPoll = repositoryPoll;
        }

        public VersionPolicy getVersions() {
            return versions;
        }

        public void setVersions(VersionPolicy versions) {
            this.versions = versions;
        }

        public String getDefaultModel() {
            return defaultModel;
        }

        public void setDefaultModel(String defaultModel) {
            this.defaultModel = defaultModel;
        }

        public String getAlias() {
            return alias;
        }

        public void setAlias(String alias) {
            this.alias = alias;
        }

        public Path getBundle() {
            return bundle;
        }

        public void setBundle(Path bundle) {
            this.bundle = bundle;
        }

        public String getTorchvision() {
            return torchvision;
        }

        public void setTorchvision(String torchvision) {
            this.torchvision = torchvision;
        }

        public Path getWeights() {
            return weights;
        }

        public void setWeights(Path weights) {
            this.weights = weights;
        }
    }

    /** How inference runs. */
    public static class Inference {
        /** Request threads beyond the admitted classifications: for 503s, health checks and metrics scrapes. */
        public static final int SPARE_REQUEST_THREADS = 16;
        static final int FP32_BATCH_SIZE = 2;
        static final int BF16_BATCH_SIZE = 8;

        /** cpu, gpu (fails if none) or auto (gpu when DJL finds one). */
        @NotNull
        private DeviceChoice device = DeviceChoice.CPU;
        /**
         * onnxruntime (CPU, fp32 only), pytorch (libtorch), or auto: ONNX Runtime on CPU, PyTorch on a
         * GPU or in bf16. {@code /models} and the startup log say which runs.
         */
        @NotNull
        private EngineChoice engine = EngineChoice.AUTO;
        /**
         * fp32, or bf16: weights and activations in bfloat16 (the stem and the classifier in fp32) on
         * the pytorch engine (auto then selects it), where the CPU has bfloat16 instructions
         * (avx512_bf16 or amx_bf16) or on a GPU; elsewhere the service runs fp32 and logs a warning.
         */
        @NotNull
        private PrecisionChoice precision = PrecisionChoice.FP32;
        /**
         * Worker threads, each with its own forward pass; 0 = auto: with {@code intra-op-threads}
         * unset too, on 2 or more CPUs, lanes: two workers on half the CPUs each plus one pass across
         * all of them for a batch that is the only work; on a GPU 1 worker. The startup log says
         * which layout runs.
         */
        @Min(0)
        @Max(64)
        private int workers = 0;
        /**
         * Intra-op threads per worker (libtorch's OpenMP or ONNX Runtime's pool); 0 = the CPUs this
         * process may use (its cgroup's quota, rounded up) divided by workers. Setting it, or
         * {@code workers}, pins {@code workers} x {@code intra-op-threads}.
         */
        @Min(0)
        @Max(256)
        private int intraOpThreads = 0;
        /**
         * Largest batch a worker runs; every size up to it is warmed before readiness. Unset: 2 in
         * fp32 and 8 in bf16 ({@link #getBatchSize()}); a GPU wants 8 or more.
         */
        @Min(1)
        @Max(256)
        private Integer batchSize;
        /**
         * How long a free worker may wait for its batch to fill, counted from its first request's
         * arrival; 0: it takes what is queued at once (the README's "How a batch is formed").
         */
        @NotNull
        private Duration maxBatchDelay = Duration.ZERO;
        /**
         * Requests that may wait for a worker; beyond it requests get 503 at once. With workers x
         * batch-size it bounds the classifications in flight, and Jetty's request threads are
         * raised to that bound + 16 where it is larger.
         */
        @Min(1)
        private int queueCapacity = 64;
        /** A request not answered within this is dropped (before inference if still queued) with 504. */
        @NotNull
        private Duration requestTimeout = Duration.ofSeconds(10);
        /**
         * A worker thread that finds no request for this long ends, and its forward pass lets go of
         * its engine's threads (ONNX Runtime closes the pass's OrtSession: the next request creates
         * it again, about 60 ms more for DenseNet-121). A model without traffic holds no thread.
         */
        @NotNull
        private Duration workerIdleTimeout = Duration.ofSeconds(30);

        public DeviceChoice getDevice() {
            return device;
        }

        public Duration getWorkerIdleTimeout() {
            return workerIdleTimeout;
        }

        public void setWorkerIdleTimeout(Duration workerIdleTimeout) {
            this.workerIdleTimeout = workerIdleTimeout;
        }

        /**
         * The most classifications admitted at once (decoding, queued or in a batch): the queue plus
         * one full batch per worker. Beyond it a request gets 503 before its image is even decoded.
         */
        public int maxInFlight() {
            return queueCapacity + workerCount() * getBatchSize();
        }

        /**
         * Request threads the web server needs: one per classification in flight (each waits for its
         * result) plus {@link #SPARE_REQUEST_THREADS}. Were the threads the tighter bound, overload
         * would queue inside Jetty with no deadline and no 503.
         */
        public int requestThreads() {
            return maxInFlight() + SPARE_REQUEST_THREADS;
        }

        /**
         * Workers of a fixed layout, and those counted in the in-flight bound: {@code workers}, where
         * 0 means 1. Lanes run two but keep that bound: the second lane takes work from the same queue.
         */
        public int workerCount() {
            return Math.max(1, workers);
        }

        /**
         * Intra-op threads per worker of a fixed layout: {@code intra-op-threads}, or {@code cpus}
         * (the CPUs this JVM may use: its cgroup CPU quota, rounded up, in a container) divided by
         * the workers, at least 1.
         */
        public int threadsPerWorker(int cpus) {
            return intraOpThreads > 0 ? intraOpThreads : Math.max(1, cpus / workerCount());
        }

        public void setDevice(DeviceChoice device) {
            this.device = device;
        }

        public EngineChoice getEngine() {
            return engine;
        }

        public void setEngine(EngineChoice engine) {
            this.engine = engine;
        }

        public PrecisionChoice getPrecision() {
            return precision;
        }

        public void setPrecision(PrecisionChoice precision) {
            this.precision = precision;
        }

        public int getWorkers() {
            return workers;
        }

        public void setWorkers(int workers) {
            this.workers = workers;
        }

        public int getIntraOpThreads() {
            return intraOpThreads;
        }

        public void setIntraOpThreads(int intraOpThreads) {
            this.intraOpThreads = intraOpThreads;
        }

        /**
         * {@code batch-size}, or where it is unset the size measured best for the precision on 2
         * CPUs (BENCHMARKS.md): in fp32 batches of 2 serve DenseNet-121 as fast as 8 with about
         * 350 MB less memory; libtorch's bfloat16 convolutions run 1.8x faster per image at 8 than
         * at 1, and batches of 8 raised bf16 through HTTP from 66 to 84 requests/s.
         */
        public int getBatchSize() {
            if (batchSize != null) {
                return batchSize;
            }
            return precision == PrecisionChoice.BF16 ? BF16_BATCH_SIZE : FP32_BATCH_SIZE;
        }

        public void setBatchSize(Integer batchSize) {
            this.batchSize = batchSize;
        }

        public Duration getMaxBatchDelay() {
            return maxBatchDelay;
        }

        public void setMaxBatchDelay(Duration maxBatchDelay) {
            this.maxBatchDelay = maxBatchDelay;
        }

        public int getQueueCapacity() {
            return queueCapacity;
        }

        public void setQueueCapacity(int queueCapacity) {
            this.queueCapacity = queueCapacity;
        }

        public Duration getRequestTimeout() {
            return requestTimeout;
        }

        public void setRequestTimeout(Duration requestTimeout) {
            this.requestTimeout = requestTimeout;
        }
    }

    /** cpu, gpu or auto. */
    public enum DeviceChoice { CPU, GPU, AUTO }

    public enum EngineChoice { AUTO, ONNXRUNTIME, PYTORCH }

    /** fp32 or bf16. */
    public enum PrecisionChoice { FP32, BF16 }

    /** Upload limits, checked before decoding. */
    public static class Limits {
        /** Largest accepted image, in bytes (raw body or one multipart part). */
        @NotNull
        private DataSize maxImageSize = DataSize.ofMegabytes(10);
        /** Largest accepted width x height, read from the image header before decoding. */
        @Min(1)
        private long maxPixels = 20_000_000;
        /**
         * Pixels decoded at once, across requests (about 9 bytes of heap each until preprocessed;
         * an image with more takes all of them). An image waits for room while a quarter of its
         * deadline remains, then gets 503.
         */
        @Min(1)
        private long decodePixelBudget = 40_000_000;
        /** Most images in one {@code /classify/batch} request. */
        @Min(1)
        @Max(256)
        private int maxBatchImages = 32;

        public DataSize getMaxImageSize() {
            return maxImageSize;
        }

        public void setMaxImageSize(DataSize maxImageSize) {
            this.maxImageSize = maxImageSize;
        }

        public long getMaxPixels() {
            return maxPixels;
        }

        public void setMaxPixels(long maxPixels) {
            this.maxPixels = maxPixels;
        }

        public long getDecodePixelBudget() {
            return decodePixelBudget;
        }

        public void setDecodePixelBudget(long decodePixelBudget) {
            this.decodePixelBudget = decodePixelBudget;
        }

        public int getMaxBatchImages() {
            return maxBatchImages;
        }

        public void setMaxBatchImages(int maxBatchImages) {
            this.maxBatchImages = maxBatchImages;
        }
    }

    /** The gRPC server beside the HTTP one, sharing its admission control, batching, limits and drain. */
    public static class Grpc {
        /**
         * Port of {@code inference.GRPCInferenceService} (with gRPC health and reflection); 0: no gRPC
         * server. Its largest message is {@code spring.servlet.multipart.max-request-size}.
         */
        @Min(0)
        @Max(65535)
        private int port = 8081;

        public int getPort() {
            return port;
        }

        public void setPort(int port) {
            this.port = port;
        }
    }

    /**
     * Classification request bodies are read without holding a request thread, then handed to the
     * controller whole; these bound how slowly and how much.
     */
    public static class Uploads {
        /** Slowest accepted average body rate (per second, to any path) once the grace period is over; slower gets 408. */
        @NotNull
        private DataSize minDataRate = DataSize.ofKilobytes(8);
        /**
         * How long a body may arrive below the minimum rate at first (connection setup, TCP slow
         * start): this, or up to twice it, drawn per body so that clients starting together are
         * not answered together.
         */
        @NotNull
        private Duration minDataRateGrace = Duration.ofSeconds(5);
        /** Deadline for a whole body, however fast it arrives. */
        @NotNull
        private Duration bodyTimeout = Duration.ofSeconds(30);
        /**
         * Bytes of request bodies held at once, while they arrive and until their request is answered
         * (a multipart body counts 3x; at most 2 GB); beyond it 503.
         */
        @NotNull
        private DataSize memoryBudget = DataSize.ofMegabytes(128);
        /**
         * After an answer sent before the request body was read (413, 408, 503): how long at most
         * the connection stays open while the rest of the body is read and discarded, so that a
         * client still sending reads the answer instead of a reset connection.
         */
        @NotNull
        private Duration lingeringClose = Duration.ofSeconds(2);

        public DataSize getMinDataRate() {
            return minDataRate;
        }

        public void setMinDataRate(DataSize minDataRate) {
            this.minDataRate = minDataRate;
        }

        public Duration getMinDataRateGrace() {
            return minDataRateGrace;
        }

        public void setMinDataRateGrace(Duration minDataRateGrace) {
            this.minDataRateGrace = minDataRateGrace;
        }

        public Duration getBodyTimeout() {
            return bodyTimeout;
        }

        public void setBodyTimeout(Duration bodyTimeout) {
            this.bodyTimeout = bodyTimeout;
        }

        public DataSize getMemoryBudget() {
            return memoryBudget;
        }

        public void setMemoryBudget(DataSize memoryBudget) {
            this.memoryBudget = memoryBudget;
        }

        public Duration getLingeringClose() {
            return lingeringClose;
        }

        public void setLingeringClose(Duration lingeringClose) {
            this.lingeringClose = lingeringClose;
        }
    }
}
