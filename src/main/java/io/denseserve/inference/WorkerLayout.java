package io.denseserve.inference;

/**
 * How the predictor's workers share the CPUs: {@code workers} forward passes of {@code threads}
 * intra-op threads each and, where {@code wideThreads > 0}, one more pass across all the CPUs that
 * a batch runs on when it is the only work ({@link CoreLanes}).
 */
public record WorkerLayout(int workers, int threads, int wideThreads) {

    public WorkerLayout {
        if (workers < 1 || threads < 1 || wideThreads < 0) {
            throw new IllegalArgumentException("workers and threads must be positive, wideThreads not negative");
        }
        if (wideThreads > 0 && workers != CoreLanes.LANES) {
            throw new IllegalArgumentException("a wide pass needs exactly " + CoreLanes.LANES + " workers");
        }
    }

    /** {@code workers} passes of {@code threads} threads each, always. */
    public static WorkerLayout fixed(int workers, int threads) {
        return new WorkerLayout(workers, threads, 0);
    }

    /** Two lanes of half the CPUs each, and all of them for a batch that runs alone; {@code cpus} >= 2. */
    public static WorkerLayout lanes(int cpus) {
        if (cpus < 2) {
            throw new IllegalArgumentException("lanes need at least 2 CPUs, not " + cpus);
        }
        return new WorkerLayout(CoreLanes.LANES, cpus / 2, cpus);
    }

    public boolean widens() {
        return wideThreads > 0;
    }

    /** As the startup log and {@code /models} say it. */
    public String describe() {
        String fixed = workers + (workers == 1 ? " worker" : " workers") + " x " + threads + " intra-op "
                + (threads == 1 ? "thread" : "threads");
        return widens() ? fixed + ", one batch across all " + wideThreads + " when it runs alone" : fixed;
    }
}
