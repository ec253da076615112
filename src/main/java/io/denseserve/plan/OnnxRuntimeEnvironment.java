package io.denseserve.plan;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtLoggingLevel;
import ai.onnxruntime.OrtSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The process's ONNX Runtime environment, created with one intra-op thread pool of one thread per
 * CPU (ONNX Runtime's global thread pools) that every forward pass across all the CPUs shares. A
 * session's own pool lives as long as the session, its threads blocked but held: each loaded model
 * would keep one for its pass across all the CPUs, traffic or not. The shared pool is the
 * process's, whichever models are loaded, and its threads block between operators.
 *
 * <p>Where another part of the process created the environment first, without the shared pool,
 * every pass keeps a pool of its own, as a pass that spins always does.
 */
public final class OnnxRuntimeEnvironment {

    private static final Logger LOG = LoggerFactory.getLogger(OnnxRuntimeEnvironment.class);
    private static final OnnxRuntimeEnvironment INSTANCE = create(Runtime.getRuntime().availableProcessors());

    private final OrtEnvironment environment;
    /** Threads of the shared pool; 0 where there is none. */
    private final int sharedPoolThreads;

    private OnnxRuntimeEnvironment(OrtEnvironment environment, int sharedPoolThreads) {
        this.environment = environment;
        this.sharedPoolThreads = sharedPoolThreads;
    }

    /** The process's environment, which every session of this process is created in. */
    public static OrtEnvironment environment() {
        return INSTANCE.environment;
    }

    /**
     * Lets a session of {@code threads} intra-op threads that block run on the shared pool where it
     * has that many threads, instead of a pool of its own.
     *
     * @return whether it does
     */
    static boolean shareThePool(OrtSession.SessionOptions options, int threads) throws OrtException {
        if (threads < 2 || threads != INSTANCE.sharedPoolThreads) {
            return false;
        }
        options.disablePerSessionThreads();
        return true;
    }

    private static OnnxRuntimeEnvironment create(int cpus) {
        if (cpus < 2) {
            return new OnnxRuntimeEnvironment(OrtEnvironment.getEnvironment(), 0);
        }
        try (OrtEnvironment.ThreadingOptions pool = new OrtEnvironment.ThreadingOptions()) {
            pool.setGlobalIntraOpNumThreads(cpus);
            pool.setGlobalInterOpNumThreads(1);
            pool.setGlobalSpinControl(false);
            return new OnnxRuntimeEnvironment(OrtEnvironment.getEnvironment(OrtLoggingLevel.ORT_LOGGING_LEVEL_WARNING,
                    OrtEnvironment.DEFAULT_NAME, pool), cpus);
        } catch (IllegalStateException e) { // the environment exists already
            LOG.warn("ONNX Runtime's environment was created elsewhere in this process without a shared thread pool; "
                    + "each forward pass across all the CPUs keeps a pool of its own");
            return new OnnxRuntimeEnvironment(OrtEnvironment.getEnvironment(), 0);
        } catch (OrtException e) {
            throw new PlanException("ONNX Runtime could not create its environment: " + e.getMessage(), e);
        }
    }
}
