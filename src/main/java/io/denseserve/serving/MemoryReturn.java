package io.denseserve.serving;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.concurrent.locks.LockSupport;
import javax.management.JMException;
import javax.management.ObjectName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Gives back the memory that loading (or freeing) a model leaves behind: Java heap and native. */
final class MemoryReturn {

    private static final Logger LOG = LoggerFactory.getLogger(MemoryReturn.class);

    private MemoryReturn() {}

    /**
     * One full collection, then the native heap trimmed: before the service reports ready, and
     * after a model is loaded or freed while serving (requests then wait out the pause). Loading a checkpoint, folding it and
     * writing the plan's graph churns through several copies of the weights: G1 grows the heap to
     * about 1 GB for DenseNet-121 while the plan needs a few tens of MB, and a young-only workload
     * never gives that memory back (G1 shrinks the heap after a full collection). It costs a pause
     * of 45-105 ms; BENCHMARKS.md §3 gives the heap it leaves.
     *
     * <p>HotSpot skips a requested collection while another thread is inside a JNI critical region
     * (its GC locker), as the main thread often is here, inflating classes from the jar while the
     * context starts; {@code System.gc()} then returns having done nothing. So the request is
     * repeated, a few milliseconds apart, until the collectors count one more collection.
     */
    static void afterLoading() {
        boolean collected = false;
        for (int attempt = 0; attempt < 40 && !collected; attempt++) {
            long before = collections();
            System.gc();
            collected = collections() > before;
            if (!collected) {
                LockSupport.parkNanos(5_000_000);
            }
        }
        if (!collected) {
            LOG.warn("the JVM skipped every full collection asked for after loading; the heap keeps what loading grew it to");
        }
        trimNativeHeap();
    }

    /**
     * Hands the memory glibc keeps after native frees (a plan closed, loading's buffers) back to the
     * system, through the JVM's own diagnostic command {@code System.trim_native_heap} (glibc's
     * {@code malloc_trim}). The image sets {@code MALLOC_TRIM_THRESHOLD_} high so that libtorch's
     * buffers are reused instead of unmapped per operation; without this, a model replaced or
     * unloaded would stay in the process's RSS. Elsewhere (another C library) the command does
     * nothing.
     */
    private static void trimNativeHeap() {
        try {
            ManagementFactory.getPlatformMBeanServer().invoke(new ObjectName("com.sun.management:type=DiagnosticCommand"),
                    "systemTrimNativeHeap", new Object[] {new String[0]}, new String[] {String[].class.getName()});
        } catch (JMException | RuntimeException e) {
            LOG.debug("the JVM could not trim the native heap: {}", e.toString());
        }
    }

    private static long collections() {
        return ManagementFactory.getGarbageCollectorMXBeans().stream()
                .mapToLong(GarbageCollectorMXBean::getCollectionCount).sum();
    }
}
