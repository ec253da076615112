package io.denseserve.plan;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The instruction-set flags of this machine's CPUs, as Linux lists them in {@code /proc/cpuinfo}:
 * what decides whether a precision runs natively or would be emulated.
 */
public record CpuFeatures(Set<String> flags) {

    /** Flags that give bfloat16 dot products: AVX-512 BF16 (Cooper Lake, Zen 4 and later) or AMX. */
    private static final Set<String> BF16_FLAGS = Set.of("avx512_bf16", "amx_bf16");

    /** This machine's flags; none where {@code /proc/cpuinfo} cannot be read (not Linux). */
    public static CpuFeatures ofThisMachine() {
        try {
            return parse(Files.readString(Path.of("/proc/cpuinfo")));
        } catch (IOException | SecurityException e) {
            return new CpuFeatures(Set.of());
        }
    }

    /** The flags on {@code /proc/cpuinfo}'s first {@code flags} line (every CPU lists the same). */
    static CpuFeatures parse(String cpuinfo) {
        return new CpuFeatures(cpuinfo.lines()
                .filter(line -> line.startsWith("flags"))
                .findFirst()
                .map(line -> Arrays.stream(line.substring(line.indexOf(':') + 1).trim().split("\\s+"))
                        .filter(flag -> !flag.isEmpty())
                        .collect(Collectors.toCollection(TreeSet::new)))
                .map(Set::copyOf)
                .orElse(Set.of()));
    }

    /** Whether bfloat16 convolutions run on native instructions rather than emulated. */
    public boolean bf16() {
        return flags.stream().anyMatch(BF16_FLAGS::contains);
    }

    /** The bfloat16 flags present, for logs and benchmark headers ("none" if none). */
    public String bf16Flags() {
        String found = flags.stream().filter(BF16_FLAGS::contains).sorted().collect(Collectors.joining(" "));
        return found.isEmpty() ? "none" : found;
    }
}
