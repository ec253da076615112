package io.denseserve.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import org.junit.jupiter.api.Test;

/**
 * The packaged service jar (an integration test: it needs {@code package}) holds the service and
 * its runtime libraries only: none of the trainer's classes, none of its charting or progress-bar
 * libraries.
 */
class ServiceJarIT {

    @Test
    void theServiceJarHoldsNoTrainingCode() throws IOException {
        Path jar;
        try (Stream<Path> files = Files.list(Path.of("target"))) {
            jar = files.filter(p -> p.getFileName().toString().matches("denseserve-.*\\.jar")).findFirst().orElseThrow();
        }
        try (JarFile file = new JarFile(jar.toFile())) {
            List<String> entries = file.stream().map(ZipEntry::getName).toList();
            assertThat(entries).as("the service itself is there").contains(
                    "BOOT-INF/classes/io/denseserve/DenseServeApplication.class",
                    "BOOT-INF/classes/io/denseserve/default-model/manifest.json");
            assertThat(entries).filteredOn(e -> e.contains("io/denseserve/training/")).as("trainer classes").isEmpty();
            assertThat(entries).filteredOn(e -> e.startsWith("BOOT-INF/lib/")
                    && e.matches(".*/(xchart|VectorGraphics2D|graphics2d|pdfbox|fontbox|animated-gif-lib|progressbar|jline)-.*"))
                    .as("the trainer's libraries").isEmpty();
        }
    }
}
