package io.denseserve.serving;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.denseserve.bundle.ModelBundle;
import io.denseserve.failure.InvalidParameterException;
import io.denseserve.failure.ModelNotFoundException;
import io.denseserve.weights.WeightsFormatException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A directory of models, {@code <name>/<version>/}, as Triton lays out its model repository. A
 * version folder holds a bundle ({@code manifest.json} and its weights) or a torchvision checkpoint
 * beside a {@code torchvision.json} such as {@code {"variant": "densenet121", "weights":
 * "densenet121.pth"}}. The folder names are the model's name and version, whatever the manifest
 * says. Names from requests are checked before they touch the file system: only a folder directly
 * inside the repository is ever read.
 */
public final class ModelRepository {

    /** What a model or version folder may be called: no separators, no dot-dot, at most 64 characters. */
    public static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    static final String TORCHVISION_MANIFEST = "torchvision.json";

    /**
     * Version order: numbers by value and before any other name, other names alphabetically; the
     * last is the latest.
     */
    static final Comparator<String> VERSION_ORDER = Comparator
            .comparing((String v) -> !v.matches("\\d{1,18}"))
            .thenComparing(v -> v.matches("\\d{1,18}") ? Long.parseLong(v) : 0L)
            .thenComparing(Comparator.naturalOrder());

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path root;

    public ModelRepository(Path root) {
        if (!Files.isDirectory(root)) {
            throw new IllegalArgumentException("denseserve.model.repository " + root + " is not a directory");
        }
        this.root = root.toAbsolutePath().normalize();
    }

    /** The models in the repository, by name. */
    public List<String> names() throws IOException {
        return folders(root);
    }

    /** A model's versions, oldest first. */
    public List<String> versions(String name) throws IOException {
        return folders(model(name)).stream().sorted(VERSION_ORDER).toList();
    }

    /**
     * What a model's version folders hold, as each file's path, size and modification time: two
     * equal answers mean nothing was written in between (a folder still being copied changes).
     */
    public String contents(String name, List<String> versions) throws IOException {
        StringBuilder listing = new StringBuilder();
        for (String version : versions) {
            Path dir = checked(model(name), version, "version");
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path file : files.sorted().toList()) {
                    listing.append(root.relativize(file)).append(':').append(Files.isRegularFile(file) ? Files.size(file) : -1)
                            .append(':').append(Files.getLastModifiedTime(file).toMillis()).append('\n');
                }
            }
        }
        return listing.toString();
    }

    /** Opens one version as a bundle named by its folders. */
    ModelBundle open(String name, String version) throws IOException {
        Path dir = checked(model(name), version, "version");
        if (!Files.isDirectory(dir)) {
            throw new ModelNotFoundException("model '" + name + "' has no version '" + version + "' in the repository");
        }
        Path torchvision = dir.resolve(TORCHVISION_MANIFEST);
        if (Files.isRegularFile(torchvision)) {
            JsonNode manifest = JSON.readTree(torchvision.toFile());
            String weights = manifest.path("weights").asText("");
            if (!manifest.path("variant").isTextual() || !NAME.matcher(weights).matches()) {
                throw new WeightsFormatException(name + "/" + version + "/" + TORCHVISION_MANIFEST
                        + " must name a variant and a weights file beside it");
            }
            return ModelBundle.torchvision(manifest.path("variant").asText(), dir.resolve(weights)).as(name, version);
        }
        return ModelBundle.open(dir).as(name, version);
    }

    private Path model(String name) {
        Path dir = checked(root, name, "model");
        if (!Files.isDirectory(dir)) {
            throw new ModelNotFoundException("the repository has no model '" + name + "'");
        }
        return dir;
    }

    /** {@code parent/name}, once {@code name} is known to be a plain folder name. */
    private static Path checked(Path parent, String name, String what) {
        if (name == null || !NAME.matcher(name).matches() || name.contains("..")) {
            throw new InvalidParameterException("a " + what + " name is 1-64 of [A-Za-z0-9._-], starting with a letter "
                    + "or digit, without '..'");
        }
        return parent.resolve(name);
    }

    private static List<String> folders(Path dir) throws IOException {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.filter(Files::isDirectory).map(p -> p.getFileName().toString())
                    .filter(n -> NAME.matcher(n).matches() && !n.contains("..")).sorted().toList();
        }
    }
}
