package io.denseserve.inference;

/**
 * Shares the CPUs between two lanes, each a worker with a pass on half of them, and one pass
 * across all of them. A batch that is the only work (the other lane idle and holding no job,
 * nothing else queued) runs across all the CPUs: one request's latency is that of a single wide
 * worker. A batch collected while other work exists takes one lane: at saturation two narrow
 * passes run side by side, and no intra-op thread waits at the end of an operator for a partner
 * that a request thread has pushed off its core (docs/ENGINES.md measures both). Never more
 * threads run than there are CPUs: the wide pass waits for both lanes, a lane for the wide pass.
 */
final class CoreLanes {

    static final int LANES = 2;

    /** What a collected batch may run on. */
    enum Grant {
        ALL_CPUS, ONE_LANE
    }

    private int freeLanes = LANES;
    /** Workers holding jobs they have not yet been granted CPUs for. */
    private int holding;

    /** Blocks while the wide pass runs: a batch collected meanwhile could not start anyway, and the queue fills it. */
    synchronized void awaitFreeLane() throws InterruptedException {
        while (freeLanes == 0) {
            wait();
        }
    }

    /** A worker took its batch's first job. */
    synchronized void holdsJobs() {
        holding++;
    }

    /**
     * Grants CPUs to a worker holding a collected batch, waiting for a lane if none is free.
     *
     * @param moreQueued whether jobs wait in the queue beyond this batch
     */
    synchronized Grant take(boolean moreQueued) throws InterruptedException {
        try {
            if (freeLanes == LANES && holding == 1 && !moreQueued) {
                freeLanes = 0;
                return Grant.ALL_CPUS;
            }
            while (freeLanes == 0) {
                wait();
            }
            freeLanes--;
            return Grant.ONE_LANE;
        } finally {
            holding--;
        }
    }

    synchronized void release(Grant grant) {
        freeLanes += grant == Grant.ALL_CPUS ? LANES : 1;
        notifyAll();
    }
}
