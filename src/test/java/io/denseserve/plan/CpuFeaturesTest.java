package io.denseserve.plan;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** bfloat16 support read from {@code /proc/cpuinfo}'s flags line. */
class CpuFeaturesTest {

    private static final String CPUINFO = """
            processor	: 0
            vendor_id	: AuthenticAMD
            model name	: AMD EPYC
            flags		: fpu sse2 avx2 avx512f avx512_bf16 avx512_vnni
            bogomips	: 5192.26

            processor	: 1
            flags		: fpu sse2 avx2 avx512f avx512_bf16 avx512_vnni
            """;

    @Test
    void findsAvx512Bf16() {
        CpuFeatures cpu = CpuFeatures.parse(CPUINFO);
        assertThat(cpu.bf16()).isTrue();
        assertThat(cpu.bf16Flags()).isEqualTo("avx512_bf16");
        assertThat(cpu.flags()).contains("avx2", "avx512_vnni").doesNotContain("flags", ":");
    }

    @Test
    void amxCountsAndPlainAvx512DoesNot() {
        assertThat(CpuFeatures.parse("flags : avx512f amx_tile amx_bf16\n").bf16Flags()).isEqualTo("amx_bf16");
        CpuFeatures older = CpuFeatures.parse("flags : avx2 avx512f avx512_vnni fma\n");
        assertThat(older.bf16()).isFalse();
        assertThat(older.bf16Flags()).isEqualTo("none");
        assertThat(CpuFeatures.parse("").bf16()).isFalse();
    }

    @Test
    void amxIsToldApartFromAvx512Bf16() {
        assertThat(CpuFeatures.parse("flags : avx512f avx512_bf16 amx_tile amx_bf16\n").amxBf16()).isTrue();
        assertThat(CpuFeatures.parse(CPUINFO).amxBf16()).isFalse();
        assertThat(CpuFeatures.parse("flags : avx512f avx512_bf16 amx_tile amx_bf16\n",
                Map.of("ONEDNN_MAX_CPU_ISA", "AVX512_CORE_BF16")).amxBf16()).isFalse();
    }

    @Test
    void aOneDnnLimitBelowBf16KeepsItFromRunningNatively() {
        // ONEDNN_MAX_CPU_ISA=AVX is how the service runs libtorch on CPUs that hide their caches.
        CpuFeatures limited = CpuFeatures.parse(CPUINFO, Map.of("ONEDNN_MAX_CPU_ISA", "avx"));
        assertThat(limited.bf16Instructions()).isTrue();
        assertThat(limited.oneDnnKeptOffBf16()).isTrue();
        assertThat(limited.bf16()).isFalse();
        assertThat(CpuFeatures.parse(CPUINFO, Map.of("DNNL_MAX_CPU_ISA", "AVX512_CORE_VNNI")).bf16()).isFalse();
        for (String limit : new String[] {"ALL", "AVX512_CORE_BF16", "AVX512_CORE_AMX", "avx10_1_512"}) {
            assertThat(CpuFeatures.parse(CPUINFO, Map.of("ONEDNN_MAX_CPU_ISA", limit)).bf16()).as(limit).isTrue();
        }
        assertThat(CpuFeatures.parse(CPUINFO, Map.of()).oneDnnIsaLimit()).isEqualTo("ALL");
    }
}
