package io.denseserve.plan;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * libtorch's convolutions are refused only where Linux lists no CPU caches and oneDNN is not
 * limited to AVX; with the caches listed, or where there is no sysfs to tell from, nothing changes.
 */
class OneDnnCachesTest {

    @TempDir
    Path sys;

    @Test
    void noCachesListedAndNoLimitIsAProblemThatNamesTheFix() throws Exception {
        Path cpu0 = Files.createDirectories(sys.resolve("cpu0/cache"));
        assertThat(OneDnnCaches.problem(cpu0.getParent(), Map.of())).get().asString()
                .contains("ONEDNN_MAX_CPU_ISA=AVX").contains("engine=onnxruntime");
        Files.delete(cpu0);
        assertThat(OneDnnCaches.problem(cpu0.getParent(), Map.of())).as("no cache directory at all").isPresent();
        assertThat(OneDnnCaches.problem(cpu0.getParent(), Map.of("ONEDNN_MAX_CPU_ISA", "ALL"))).isPresent();
        assertThat(OneDnnCaches.problem(cpu0.getParent(), Map.of("ONEDNN_MAX_CPU_ISA", "AVX2"))).isPresent();
    }

    @Test
    void limitedToAvxOrBelowThereIsNone() throws Exception {
        Path cpu0 = Files.createDirectories(sys.resolve("cpu0/cache")).getParent();
        assertThat(OneDnnCaches.problem(cpu0, Map.of("ONEDNN_MAX_CPU_ISA", "AVX"))).isEmpty();
        assertThat(OneDnnCaches.problem(cpu0, Map.of("ONEDNN_MAX_CPU_ISA", "avx"))).isEmpty();
        assertThat(OneDnnCaches.problem(cpu0, Map.of("DNNL_MAX_CPU_ISA", "SSE41"))).isEmpty();
    }

    @Test
    void listedCachesOrNoSysfsAreNoProblem() throws Exception {
        Path cpu0 = Files.createDirectories(sys.resolve("cpu0/cache/index0")).getParent().getParent();
        assertThat(OneDnnCaches.problem(cpu0, Map.of())).isEmpty();
        assertThat(OneDnnCaches.problem(sys.resolve("absent"), Map.of())).isEmpty();
    }

    @Test
    void thisBuildsTestsRunWhereLibtorchsConvolutionsAreExact() {
        // The hidden-cpu-caches profile (pom.xml) limits oneDNN on the machines that need it.
        assertThat(OneDnnCaches.problem()).isEmpty();
    }
}
