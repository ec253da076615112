package io.denseserve.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The packages under {@code io.denseserve} as the README's Layout draws them: each imports only
 * packages below it, none reaches itself through its imports, and the leaves stay leaves. Read
 * from the sources' import lines.
 */
class PackageDependenciesTest {

    static final Path SOURCES = Path.of("src/main/java/io/denseserve");
    static final Path TRAINING = Path.of("src/training/java/io/denseserve");
    static final Pattern IMPORT = Pattern.compile("^import (?:static )?io\\.denseserve\\.(\\w+)\\.", Pattern.MULTILINE);

    @Test
    void noPackageDependsOnItselfThroughOthers() throws IOException {
        Map<String, Set<String>> graph = imports();
        assertThat(graph).containsKeys("config", "model", "web", "serving", "classify", "admission");
        List<String> cycles = new ArrayList<>();
        for (String start : graph.keySet()) {
            Deque<List<String>> paths = new ArrayDeque<>(List.of(List.of(start)));
            Set<String> seen = new TreeSet<>();
            while (!paths.isEmpty()) {
                List<String> path = paths.pop();
                for (String next : graph.getOrDefault(path.get(path.size() - 1), Set.of())) {
                    List<String> longer = new ArrayList<>(path);
                    longer.add(next);
                    if (next.equals(start)) {
                        cycles.add(String.join(" -> ", longer));
                    } else if (seen.add(next)) {
                        paths.add(longer);
                    }
                }
            }
        }
        assertThat(cycles).as("package cycles").isEmpty();
    }

    /** The README's Layout, top to bottom: each package may import only packages after it. */
    static final List<String> LAYERS = List.of("openinference", "classify", "web", "admission", "serving", "explain", "inference", "plan", "onnx", "torchscript",
            "fold", "preprocess", "bundle", "weights", "model", "failure", "config");

    @Test
    void eachPackageUsesOnlyThoseBelowItInTheLayout() throws IOException {
        Map<String, Set<String>> graph = imports();
        assertThat(new TreeSet<>(LAYERS)).as("packages in the Layout").isEqualTo(graph.keySet());
        for (String pkg : LAYERS) {
            List<String> below = LAYERS.subList(LAYERS.indexOf(pkg) + 1, LAYERS.size());
            assertThat(below).as("what %s imports", pkg).containsAll(graph.get(pkg));
        }
    }

    @Test
    void settingsAndTheNetworkAreLeaves() throws IOException {
        Map<String, Set<String>> graph = imports();
        assertThat(graph.get("config")).as("config imports").isEmpty();
        assertThat(graph.get("model")).as("model imports").isEmpty();
    }

    @Test
    void theTrainerLivesApartAndNothingInTheServiceUsesIt() throws IOException {
        assertThat(TRAINING.resolve("training")).isDirectory();
        assertThat(SOURCES.resolve("training")).doesNotExist();
        imports().forEach((pkg, uses) -> assertThat(uses).as("%s imports", pkg).doesNotContain("training"));
    }

    static Map<String, Set<String>> imports() throws IOException {
        Map<String, Set<String>> graph = new TreeMap<>();
        try (Stream<Path> files = Files.walk(SOURCES)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                Path dir = SOURCES.relativize(file).getParent();
                if (dir == null) {
                    continue; // the application class
                }
                String pkg = dir.getName(0).toString();
                Set<String> uses = graph.computeIfAbsent(pkg, k -> new TreeSet<>());
                Matcher m = IMPORT.matcher(Files.readString(file));
                while (m.find()) {
                    if (!m.group(1).equals(pkg)) {
                        uses.add(m.group(1));
                    }
                }
            }
        }
        return graph;
    }
}
