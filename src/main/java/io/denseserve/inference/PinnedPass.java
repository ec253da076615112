package io.denseserve.inference;

import io.denseserve.plan.ForwardOutput;
import io.denseserve.plan.ForwardPass;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A forward pass opened on a thread of its own and always run there, whichever worker asks, for
 * a plan whose passes keep settings per thread ({@link
 * io.denseserve.plan.InferencePlan#passSettingsPerThread}: libtorch keeps its intra-op thread
 * count per thread). The pass across all the CPUs then keeps its count while each lane's worker
 * keeps its own. The worker that was granted all the CPUs waits for the result, as it would for
 * its own pass. Setting the count on that worker instead, at every change of pass, would clear
 * oneDNN's computation cache each time: libtorch's {@code set_num_threads} does, process-wide.
 * The thread ends after {@code idleTimeout} without a call; the next call starts another, to
 * which the pass re-applies its settings.
 */
final class PinnedPass implements ForwardPass {

    private final ExecutorService thread;
    private final ForwardPass pass;

    PinnedPass(Supplier<ForwardPass> open, String threadName, Duration idleTimeout) {
        ThreadPoolExecutor executor = new ThreadPoolExecutor(1, 1, idleTimeout.toNanos(), TimeUnit.NANOSECONDS,
                new LinkedBlockingQueue<>(), task -> {
                    Thread t = new Thread(task, threadName);
                    t.setDaemon(true);
                    return t;
                });
        executor.allowCoreThreadTimeOut(true);
        this.thread = executor;
        this.pass = call(open::get);
    }

    @Override
    public ForwardOutput forward(float[][] images, boolean features) {
        return call(() -> pass.forward(images, features));
    }

    @Override
    public void idle() {
        call(() -> {
            pass.idle();
            return null;
        });
    }

    @Override
    public void close() {
        try {
            call(() -> {
                pass.close();
                return null;
            });
        } finally {
            thread.shutdown();
        }
    }

    private <T> T call(Callable<T> work) {
        Future<T> result = thread.submit(work);
        try {
            return result.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException failure) {
                throw failure;
            }
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the pass across all the CPUs", e);
        }
    }
}
