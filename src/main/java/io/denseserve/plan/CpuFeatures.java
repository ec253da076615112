package io.denseserve.plan;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The instruction-set flags of this machine's CPUs, as Linux lists them in {@code /proc/cpuinfo},
 * and the instruction sets oneDNN (libtorch's CPU kernels) is limited to by this process's
 * environment ({@code ONEDNN_MAX_CPU_ISA}, {@code ALL} unless set): what decides whether a
 * precision runs natively or would be emulated.
 */
public record CpuFeatures(Set<String> flags, String oneDnnIsaLimit) {

    /** Flags that give bfloat16 dot products: AVX-512 BF16 (Cooper Lake, Zen 4 and later) or AMX. */
    private static final Set<String> BF16_FLAGS = Set.of("avx512_bf16", "amx_bf16");
    /** oneDNN's limits below {@code AVX512_CORE_BF16}, its first with bfloat16 dot products. */
    private static final Set<String> LIMITS_WITHOUT_BF16 =
            Set.of("SSE41", "AVX", "AVX2", "AVX2_VNNI", "AVX2_VNNI_2", "AVX512_CORE", "AVX512_CORE_VNNI");

    /** Flags with oneDNN unlimited. */
    public CpuFeatures(Set<String> flags) {
        this(flags, "ALL");
    }

    /**
     * This machine's flags (none where {@code /proc/cpuinfo} cannot be read: not Linux) and this
     * process's oneDNN limit.
     */
    public static CpuFeatures ofThisMachine() {
        String cpuinfo;
        try {
            cpuinfo = Files.readString(Path.of("/proc/cpuinfo"));
        } catch (IOException | SecurityException e) {
            cpuinfo = "";
        }
        return parse(cpuinfo, System.getenv());
    }

    /** The flags on {@code /proc/cpuinfo}'s first {@code flags} line, with oneDNN unlimited. */
    static CpuFeatures parse(String cpuinfo) {
        return parse(cpuinfo, Map.of());
    }

    /**
     * The flags on {@code /proc/cpuinfo}'s first {@code flags} line (every CPU lists the same), and
     * the oneDNN limit the environment sets (its older name {@code DNNL_MAX_CPU_ISA} too).
     */
    static CpuFeatures parse(String cpuinfo, Map<String, String> environment) {
        return new CpuFeatures(cpuinfo.lines()
                .filter(line -> line.startsWith("flags"))
                .findFirst()
                .map(line -> Arrays.stream(line.substring(line.indexOf(':') + 1).trim().split("\\s+"))
                        .filter(flag -> !flag.isEmpty())
                        .collect(Collectors.toCollection(TreeSet::new)))
                .map(Set::copyOf)
                .orElse(Set.of()), OneDnnCaches.isaLimit(environment));
    }

    /** Whether bfloat16 convolutions run on native instructions rather than emulated. */
    public boolean bf16() {
        return bf16Instructions() && !oneDnnKeptOffBf16();
    }

    /**
     * Whether bfloat16 convolutions run on AMX tiles: where bf16 pays (DenseNet-121 about 2x fp32
     * at batch 8; on AVX-512 BF16 alone it measured slower than ONNX Runtime in fp32).
     */
    public boolean amxBf16() {
        return bf16() && flags.contains("amx_bf16") && !oneDnnIsaLimit.equals("AVX512_CORE_BF16");
    }

    /** Whether the CPU has bfloat16 dot products, whether or not oneDNN may use them. */
    public boolean bf16Instructions() {
        return flags.stream().anyMatch(BF16_FLAGS::contains);
    }

    /** Whether this process's oneDNN limit keeps it off bfloat16 instructions the CPU may have. */
    public boolean oneDnnKeptOffBf16() {
        return LIMITS_WITHOUT_BF16.contains(oneDnnIsaLimit);
    }

    /** The bfloat16 flags present, for logs and benchmark headers ("none" if none). */
    public String bf16Flags() {
        String found = flags.stream().filter(BF16_FLAGS::contains).sorted().collect(Collectors.joining(" "));
        return found.isEmpty() ? "none" : found;
    }
}
