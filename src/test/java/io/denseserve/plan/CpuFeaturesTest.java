package io.denseserve.plan;

import static org.assertj.core.api.Assertions.assertThat;

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
}
