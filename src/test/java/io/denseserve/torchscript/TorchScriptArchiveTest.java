package io.denseserve.torchscript;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.denseserve.torchscript.TorchScriptArchive.StorageType;
import io.denseserve.torchscript.TorchScriptArchive.Tensor;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.Test;

/**
 * The archive's layout and the bfloat16 rounding. That libtorch loads what {@link DenseNetModule}
 * writes and computes torchvision's logits is {@code PlanConformanceTest}'s (pytorch engine).
 */
class TorchScriptArchiveTest {

    @Test
    void bfloat16RoundsToNearestEvenAsTorchDoes() {
        assertThat(TorchScriptArchive.bfloat16(1.0f)).isEqualTo((short) 0x3F80);
        // 1 + 2^-8 lies halfway between 1 and 1 + 2^-7: ties go to the even mantissa (down) ...
        assertThat(TorchScriptArchive.bfloat16(Float.intBitsToFloat(0x3F808000))).isEqualTo((short) 0x3F80);
        // ... and 1 + 3 * 2^-8, halfway from an odd mantissa, goes up.
        assertThat(TorchScriptArchive.bfloat16(Float.intBitsToFloat(0x3F818000))).isEqualTo((short) 0x3F82);
        assertThat(TorchScriptArchive.bfloat16(Float.intBitsToFloat(0x3F808001))).isEqualTo((short) 0x3F81);
        assertThat(TorchScriptArchive.bfloat16(-2.5f)).isEqualTo((short) 0xC020);
        assertThat(TorchScriptArchive.bfloat16(Float.POSITIVE_INFINITY)).isEqualTo((short) 0x7F80);
        assertThat(TorchScriptArchive.bfloat16(Float.NEGATIVE_INFINITY)).isEqualTo((short) 0xFF80);
        assertThat(TorchScriptArchive.bfloat16(Float.MAX_VALUE)).as("beyond bfloat16's range").isEqualTo((short) 0x7F80);
        assertThat(TorchScriptArchive.bfloat16(Float.NaN)).isEqualTo((short) 0x7FC0);
    }

    @Test
    void archiveHoldsSourcePickleAndOneStoragePerTensorInItsType() throws IOException {
        Tensor a = new Tensor(new long[] {2, 3}, new float[] {1, 2, 3, 4, 5, 6});
        Tensor b = new Tensor(new long[] {1}, new float[] {7});
        byte[] zip = new TorchScriptArchive("M", "class M(Module):\n", StorageType.BFLOAT16)
                .integers("sizes", 6, 12)
                .tensors("half", List.of(a, b))
                .tensors("full", List.of(a), StorageType.FLOAT)
                .write("m");
        Map<String, byte[]> entries = entries(zip);
        assertThat(entries.keySet()).containsExactly("m/data.pkl", "m/code/__torch__.py", "m/constants.pkl",
                "m/version", "m/data/0", "m/data/1", "m/data/2");
        assertThat(entries.get("m/data/0")).as("six bfloat16 values").hasSize(12);
        assertThat(entries.get("m/data/1")).hasSize(2);
        assertThat(entries.get("m/data/2")).as("six floats").hasSize(24);
        String pickle = new String(entries.get("m/data.pkl"), java.nio.charset.StandardCharsets.ISO_8859_1);
        assertThat(pickle).startsWith("\u0080\u0002c__torch__\nM\n").endsWith(".")
                .contains("torch\nBFloat16Storage\n", "torch\nFloatStorage\n", "torch.jit._pickle\nbuild_tensorlist\n",
                        "torch.jit._pickle\nbuild_intlist\n", "training", "half", "full", "sizes");
    }

    @Test
    void aTensorMustHoldAsManyValuesAsItsShapeSays() {
        assertThatThrownBy(() -> new Tensor(new long[] {2, 2}, new float[3]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("holds 4 values, not 3");
    }

    private static Map<String, byte[]> entries(byte[] zip) throws IOException {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
            for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
                assertThat(e.getMethod()).as("%s stored uncompressed", e.getName()).isEqualTo(ZipEntry.STORED);
                entries.put(e.getName(), in.readAllBytes());
            }
        }
        return entries;
    }
}
