package io.denseserve.testing;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Model repositories for tests: {@code <name>/<version>/} folders, each a small RGB bundle
 * ({@link TestBundles#rgb}) with weights seeded from its folder's name, so that two folders answer
 * the same image differently and the same folder written again answers as before.
 */
public final class TestRepository {

    private TestRepository() {}

    /** A new repository holding these folders, such as {@code "tiny/1"}. */
    public static Path of(String... folders) {
        try {
            Path root = Files.createTempDirectory("repository");
            for (String folder : folders) {
                version(root, folder);
            }
            return root;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes one version folder, such as {@code "tiny/3"}; returns it. */
    public static Path version(Path root, String folder) {
        return TestBundles.rgb(10, 4, 16, folder.hashCode(), root.resolve(folder));
    }

    /** The three class probabilities in a {@code /classify?topK=3} answer, by class index. */
    public static double[] probabilities(JsonNode answer) {
        double[] p = new double[3];
        answer.path("topK").forEach(c -> p[c.path("index").asInt()] = c.path("probability").asDouble());
        return p;
    }
}
