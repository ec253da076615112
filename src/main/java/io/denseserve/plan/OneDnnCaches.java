package io.denseserve.plan;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Whether libtorch's convolutions can be trusted on this machine. The oneDNN inside libtorch 2.7.1
 * sizes the blocks of its AVX2 and AVX-512 convolutions from the CPU's cache sizes, as CPUID
 * reports them; where a virtual machine leaves the cache leaf empty, it takes every cache for one
 * byte, and those convolutions then compute wrong values (3x3 ones with 6 or 12 output channels:
 * the forward pass on AVX-512, the input gradient on AVX2 and AVX-512, NaN at times) or die with
 * SIGFPE (DenseNet-121's 1024-to-512 transition). Linux reads the same leaf, so on such a machine
 * it lists no caches under {@code /sys/devices/system/cpu/cpu0/cache}. Limited to AVX
 * ({@code ONEDNN_MAX_CPU_ISA=AVX}, read once by the native library, so it must be in the process's
 * environment from its start), oneDNN leaves those kernels alone and libtorch's convolutions are
 * exact again, and slower. ONNX Runtime does not use oneDNN.
 */
public final class OneDnnCaches {

    private static final Path CPU0 = Path.of("/sys/devices/system/cpu/cpu0");
    /** oneDNN's ISA limits that keep it off its AVX2 and AVX-512 convolutions. */
    private static final Set<String> SAFE_LIMITS = Set.of("SSE41", "AVX");

    private OneDnnCaches() {}

    /** Why libtorch's convolutions would be wrong in this process, or empty when they are not. */
    public static Optional<String> problem() {
        return problem(CPU0, System.getenv());
    }

    static Optional<String> problem(Path cpu0, Map<String, String> environment) {
        if (!Files.isDirectory(cpu0) || listsCaches(cpu0.resolve("cache"))) {
            return Optional.empty(); // not Linux (nothing to tell from), or the caches are known
        }
        if (SAFE_LIMITS.contains(isaLimit(environment))) {
            return Optional.empty();
        }
        return Optional.of("this machine's CPU reports no cache sizes (Linux lists none under " + cpu0.resolve("cache")
                + ", as in some virtual machines), and libtorch's oneDNN then computes wrong convolutions or crashes; "
                + "start the process with ONEDNN_MAX_CPU_ISA=AVX in its environment (exact, slower convolutions), "
                + "or serve with denseserve.inference.engine=onnxruntime");
    }

    /**
     * The instruction sets an environment limits oneDNN to ({@code ONEDNN_MAX_CPU_ISA}, or its older
     * name {@code DNNL_MAX_CPU_ISA}), upper case; {@code ALL} where it sets none.
     */
    public static String isaLimit(Map<String, String> environment) {
        String limit = environment.getOrDefault("ONEDNN_MAX_CPU_ISA", environment.getOrDefault("DNNL_MAX_CPU_ISA", "ALL"));
        return limit.trim().toUpperCase(Locale.ROOT);
    }

    private static boolean listsCaches(Path cache) {
        if (!Files.isDirectory(cache)) {
            return false;
        }
        try (Stream<Path> entries = Files.list(cache)) {
            return entries.anyMatch(p -> p.getFileName().toString().startsWith("index"));
        } catch (IOException e) {
            return false;
        }
    }
}
