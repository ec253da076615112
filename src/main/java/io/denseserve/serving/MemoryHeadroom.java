package io.denseserve.serving;

import com.sun.management.OperatingSystemMXBean;
import io.denseserve.bundle.ModelBundle;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;

/**
 * Refuses to load a model that would not fit in the memory the process may use, before loading
 * starts, so that a load says why instead of the container being killed for memory. The limit is
 * the JVM's own reading of it ({@link OperatingSystemMXBean#getTotalMemorySize()}: the container's
 * limit inside a container, the machine's memory outside one); what the process holds is its
 * resident set. A version being loaded costs at most {@value #WEIGHTS_FACTOR}x its weights file
 * while it loads and warms (DenseNet-121's 31 MB checkpoint raised the resident set by at most
 * 300 MB in BENCHMARKS.md §6), and the version it replaces is freed only after.
 */
final class MemoryHeadroom {

    static final int WEIGHTS_FACTOR = 10;

    private MemoryHeadroom() {}

    /** @throws IllegalStateException if loading {@code bundle} would pass the memory limit */
    static void check(ModelBundle bundle) throws IOException {
        var os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        double resident = ProcessMemoryMetrics.residentBytes();
        if (!Double.isNaN(resident)) {
            check(bundle.manifest().name() + "' version '" + bundle.manifest().version(), (long) resident,
                    os.getTotalMemorySize(), Files.size(bundle.weightsFile()));
        }
    }

    static void check(String model, long residentBytes, long limitBytes, long weightsBytes) {
        long needed = WEIGHTS_FACTOR * weightsBytes;
        if (residentBytes + needed > limitBytes) {
            throw new IllegalStateException("not enough memory to load model '" + model + "': it needs about "
                    + mib(needed) + " MiB (" + WEIGHTS_FACTOR + "x its weights file) beside the " + mib(residentBytes)
                    + " MiB the process holds, and the limit is " + mib(limitBytes) + " MiB; unload a model or raise the limit");
        }
    }

    private static long mib(long bytes) {
        return bytes >> 20;
    }
}
