package io.denseserve.plan;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.denseserve.onnx.DenseNetGraph;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Map;
import java.util.Set;

/**
 * ONNX Runtime (CPU) running the graph {@link DenseNetGraph} wrote from the loaded weights. Each
 * {@link ForwardPass} owns an {@code OrtSession} with {@code threads} intra-op threads, so that
 * workers never share a thread pool, and a direct input buffer reused across batches.
 *
 * <p>An idle pass ({@link ForwardPass#idle}) closes its {@code OrtSession}, and with it the
 * intra-op pool that ONNX Runtime keeps blocked for as long as an {@code OrtSession} lives (its
 * threads less one), and creates it again on its next batch (DenseNet-121's first request after
 * idle took about 60 ms longer than the next: BENCHMARKS.md). ONNX Runtime has no setting that lets
 * an {@code OrtSession}'s pool threads end while it stays open, and its process-wide pools are
 * released by its Java binding's own shutdown hook beside the service's drain (docs/ENGINES.md).
 * The plan therefore keeps the serialized graph, off the heap.
 */
public final class OnnxRuntimePlan implements InferencePlan {

    private static final Set<String> LOGITS_ONLY = Set.of(DenseNetGraph.LOGITS);
    /** ONNX Runtime's configuration key for intra-op threads spinning between operators. */
    private static final String ALLOW_SPINNING_KEY = "session.intra_op.allow_spinning";
    /** ONNX Runtime's configuration key that stops spinning intra-op threads as each run ends. */
    private static final String FORCE_SPINNING_STOP_KEY = "session.force_spinning_stop";
    /** System property that sets which passes' intra-op threads spin: none (the default), alone or all. */
    public static final String SPIN_PROPERTY = "denseserve.onnxruntime.spin";

    private final OrtEnvironment environment = OrtEnvironment.getEnvironment();
    /** The serialized graph each {@code OrtSession} is created from, read-only; direct, so that it costs no heap headroom. */
    private final ByteBuffer graph;
    private final long[] imageShape;
    private final int threads;

    /**
     * @param graph a serialized ONNX model with DenseNetGraph's input and output names
     * @param imageShape channels, height, width of one image
     * @param threads intra-op threads of each forward pass
     */
    public OnnxRuntimePlan(byte[] graph, int[] imageShape, int threads) {
        this.graph = ByteBuffer.allocateDirect(graph.length).put(graph).flip().asReadOnlyBuffer();
        this.imageShape = new long[] {imageShape[0], imageShape[1], imageShape[2]};
        this.threads = threads;
    }

    @Override
    public InferenceEngine engine() {
        return InferenceEngine.ONNXRUNTIME;
    }

    @Override
    public Precision precision() {
        return Precision.FP32;
    }

    /** The ONNX model this plan runs, for export and inspection. */
    public byte[] graph() {
        byte[] copy = new byte[graph.capacity()];
        graph.duplicate().get(copy);
        return copy;
    }

    @Override
    public int threads() {
        return threads;
    }

    @Override
    public ForwardPass open(int threads) {
        return open(threads, false);
    }

    @Override
    public ForwardPass openAlone(int threads) {
        return open(threads, true);
    }

    private ForwardPass open(int threads, boolean alone) {
        Pass pass = new Pass(threads, alone);
        pass.loaded();
        return pass;
    }

    /** An {@code OrtSession} on the graph, through a duplicate of the buffer: passes open from several threads, and a position is state. */
    private OrtSession load(int threads, boolean alone) {
        try (OrtSession.SessionOptions options = sessionOptions(threads, alone)) {
            return environment.createSession(graph.duplicate(), options);
        } catch (OrtException e) {
            throw new PlanException("ONNX Runtime could not load the DenseNet graph: " + e.getMessage(), e);
        }
    }

    /**
     * ONNX Runtime's options for each forward pass a plan opens; the forward benchmark runs other
     * graphs with them too. Intra-op threads block between operators (ONNX Runtime's default is to
     * spin): the CPUs are shared with request threads, and a spinning thread whose partner was pushed
     * off its core spins through its whole time slice at every operator, so a forward pass of a few
     * milliseconds can take hundreds. {@code -D}{@value #SPIN_PROPERTY}{@code =alone} lets the
     * threads of a pass that runs {@code alone} spin during a run and stops them as it ends (a lone
     * request answered about 2 ms sooner, at half load a longer tail), {@code =all} every pass's,
     * as ONNX Runtime does (docs/ENGINES.md).
     */
    public static OrtSession.SessionOptions sessionOptions(int threads, boolean alone) throws OrtException {
        OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
        options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
        options.setIntraOpNumThreads(threads);
        options.setInterOpNumThreads(1);
        String spin = System.getProperty(SPIN_PROPERTY, "none");
        boolean spinsAlone = alone && spin.equals("alone");
        options.addConfigEntry(ALLOW_SPINNING_KEY, spinsAlone || spin.equals("all") ? "1" : "0");
        if (spinsAlone) {
            options.addConfigEntry(FORCE_SPINNING_STOP_KEY, "1");
        }
        return options;
    }

    @Override
    public void close() {
        // Each OrtSession is closed with its pass; the OrtEnvironment is process-wide and stays.
    }

    /** Synchronized so that {@link #idle} and {@link #close} never meet a run, whichever thread calls them. */
    private final class Pass implements ForwardPass {

        private final int threads;
        private final boolean alone;
        /** Null while idle or closed. */
        private OrtSession runtime;
        private boolean closed;
        private final int imageSize = (int) (imageShape[0] * imageShape[1] * imageShape[2]);
        private FloatBuffer input = FloatBuffer.allocate(0);

        Pass(int threads, boolean alone) {
            this.threads = threads;
            this.alone = alone;
        }

        private OrtSession loaded() {
            if (closed) {
                throw new IllegalStateException("this forward pass is closed");
            }
            if (runtime == null) {
                runtime = load(threads, alone);
            }
            return runtime;
        }

        @Override
        public synchronized ForwardOutput forward(float[][] images, boolean features) {
            OrtSession ort = loaded();
            int needed = images.length * imageSize;
            if (input.capacity() < needed) {
                input = ByteBuffer.allocateDirect(needed * Float.BYTES).order(ByteOrder.nativeOrder()).asFloatBuffer();
            }
            input.clear();
            for (float[] image : images) {
                input.put(image, 0, imageSize);
            }
            input.flip();
            long[] shape = {images.length, imageShape[0], imageShape[1], imageShape[2]};
            Set<String> outputs = features ? Set.of(DenseNetGraph.LOGITS, DenseNetGraph.FEATURES) : LOGITS_ONLY;
            try (OnnxTensor tensor = OnnxTensor.createTensor(environment, input, shape);
                    OrtSession.Result result = ort.run(Map.of(DenseNetGraph.INPUT, tensor), outputs)) {
                float[][] logits = (float[][]) result.get(DenseNetGraph.LOGITS).orElseThrow().getValue();
                if (!features) {
                    return new ForwardOutput(logits, null);
                }
                OnnxTensor maps = (OnnxTensor) result.get(DenseNetGraph.FEATURES).orElseThrow();
                return new ForwardOutput(logits, split(maps.getFloatBuffer(), maps.getInfo().getShape()));
            } catch (OrtException e) {
                throw new PlanException("ONNX Runtime forward pass failed: " + e.getMessage(), e);
            }
        }

        private static FeatureMap[] split(FloatBuffer all, long[] shape) {
            int channels = (int) shape[1];
            int height = (int) shape[2];
            int width = (int) shape[3];
            FeatureMap[] maps = new FeatureMap[(int) shape[0]];
            for (int i = 0; i < maps.length; i++) {
                float[] values = new float[channels * height * width];
                all.get(values);
                maps[i] = new FeatureMap(channels, height, width, values);
            }
            return maps;
        }

        /** Closes the {@code OrtSession}, its pool and memory; the next batch creates another. */
        @Override
        public synchronized void idle() {
            release();
            input = FloatBuffer.allocate(0);
        }

        @Override
        public synchronized void close() {
            closed = true;
            release();
        }

        private void release() {
            if (runtime == null) {
                return;
            }
            try {
                runtime.close();
            } catch (OrtException e) {
                throw new PlanException("ONNX Runtime did not release its model: " + e.getMessage(), e);
            } finally {
                runtime = null;
            }
        }
    }
}
