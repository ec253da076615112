package io.denseserve.bundle;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.denseserve.model.DenseNet;
import io.denseserve.model.DenseNetLayout;
import io.denseserve.model.DenseNetVariant;
import io.denseserve.weights.SafetensorsFormat;
import io.denseserve.weights.StateDict;
import io.denseserve.weights.StateDictLoader;
import io.denseserve.weights.WeightsFiles;
import io.denseserve.weights.WeightsFormatException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * A servable model: a manifest ({@code manifest.json}) and the weights file it names, in a
 * directory, a zip, or on the classpath (the embedded default model).
 *
 * <pre>{@code
 * ModelBundle imagenet = ModelBundle.torchvision("densenet121", Path.of("densenet121-a639ec97.pth"));
 * StateDict weights = imagenet.loadWeights();          // checked against the architecture
 * DenseNet net = imagenet.newNetwork(manager);         // the reference network, in Java
 * }</pre>
 */
public final class ModelBundle {

    public static final String MANIFEST = "manifest.json";

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private final BundleManifest manifest;
    private final Path weightsFile;

    private ModelBundle(BundleManifest manifest, Path weightsFile) {
        this.manifest = manifest;
        this.weightsFile = weightsFile;
    }

    public BundleManifest manifest() {
        return manifest;
    }

    public Path weightsFile() {
        return weightsFile;
    }

    /** The same bundle served under another name and version (a model repository's folder names). */
    public ModelBundle as(String name, String version) {
        BundleManifest m = manifest;
        return new ModelBundle(new BundleManifest(m.schemaVersion(), name, version, m.architecture(), m.weights(),
                m.preprocessing(), m.labels(), m.provenance()), weightsFile);
    }

    /**
     * Opens a bundle directory or zip holding {@code manifest.json} and its weights.
     *
     * @throws WeightsFormatException if the manifest is missing or invalid, or the weights are absent
     */
    public static ModelBundle open(Path location) throws IOException {
        Path dir = Files.isDirectory(location) ? location : unzip(location);
        Path manifestFile = dir.resolve(MANIFEST);
        if (!Files.isRegularFile(manifestFile)) {
            throw new WeightsFormatException("model bundle " + location + " has no " + MANIFEST);
        }
        BundleManifest manifest = readManifest(Files.readAllBytes(manifestFile), location.toString());
        Path weights = dir.resolve(manifest.weights()).normalize();
        if (!weights.startsWith(dir.normalize()) || !Files.isRegularFile(weights)) {
            throw new WeightsFormatException("model bundle " + location + " lacks its weights file '" + manifest.weights() + "'");
        }
        return new ModelBundle(manifest, weights);
    }

    /**
     * Opens a bundle packaged as classpath resources (such as the embedded default model), copying
     * its two files out of the jar first.
     *
     * @param resourceDir such as {@code /io/denseserve/default-model}
     */
    public static ModelBundle fromClasspath(String resourceDir) throws IOException {
        Path dir = Files.createTempDirectory("denseserve-bundle");
        dir.toFile().deleteOnExit();
        byte[] manifestBytes = resource(resourceDir + "/" + MANIFEST);
        BundleManifest manifest = readManifest(manifestBytes, "classpath:" + resourceDir);
        Path weights = dir.resolve("weights.safetensors");
        Files.write(weights, resource(resourceDir + "/" + manifest.weights()));
        weights.toFile().deleteOnExit();
        return new ModelBundle(manifest, weights);
    }

    /**
     * A torchvision ImageNet DenseNet served from a torchvision checkpoint (.pth, safetensors or
     * npz): ImageNet preprocessing and torchvision's own 1,000 category names.
     *
     * @param variant {@code densenet121}, {@code densenet161}, {@code densenet169} or {@code densenet201}
     * @param weights the checkpoint
     */
    public static ModelBundle torchvision(String variant, Path weights) {
        DenseNetVariant v = DenseNetVariant.of(variant);
        Map<String, Object> provenance = new LinkedHashMap<>();
        provenance.put("dataset", "ImageNet-1k (ILSVRC 2012)");
        provenance.put("source", "torchvision weights file " + weights.getFileName());
        BundleManifest manifest = new BundleManifest(BundleManifest.SCHEMA_VERSION, v.torchvisionName(), "torchvision",
                v.config(), weights.getFileName().toString(), Preprocessing.imagenet(), imagenetCategories(), provenance);
        return new ModelBundle(manifest, weights);
    }

    /** torchvision's ImageNet category names ({@code torchvision.models._meta._IMAGENET_CATEGORIES}). */
    public static List<String> imagenetCategories() {
        try (InputStream in = ModelBundle.class.getResourceAsStream("imagenet_categories.txt");
                BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            return reader.lines().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Builds the network, initialises it for one image of the manifest's input size, and loads the
     * weights strictly.
     *
     * @param manager owns the parameters
     */
    public DenseNet newNetwork(NDManager manager) throws IOException {
        StateDict weights = loadWeights();
        DenseNet net = DenseNet.of(manifest.architecture());
        int crop = manifest.preprocessing().crop();
        net.initialize(manager, DataType.FLOAT32, new Shape(1, manifest.architecture().inChannels(), crop, crop));
        StateDictLoader.load(net, weights);
        // A loaded network evaluates (the trainer builds its own): without requires_grad, a thread whose
        // libtorch grad mode is on (grad mode is per thread) records no autograd graph.
        net.freezeParameters(true);
        return net;
    }

    /**
     * The bundle's weights, checked against its architecture by the rules {@link #newNetwork}
     * applies, under the network's own state_dict keys (legacy torchvision names and a {@code
     * module.} prefix resolved): what an inference plan is compiled from. Needs no engine.
     *
     * @throws WeightsFormatException if they do not match the architecture
     */
    public StateDict loadWeights() throws IOException {
        try {
            return StateDictLoader.check(DenseNetLayout.of(manifest.architecture()).shapes(), WeightsFiles.read(weightsFile));
        } catch (WeightsFormatException e) {
            throw new WeightsFormatException("model '" + manifest.name() + "' (" + weightsFile.getFileName() + "): "
                    + e.getMessage(), e);
        }
    }

    /**
     * Writes a bundle directory: the manifest and the network's weights as safetensors.
     *
     * @param dir created if absent
     */
    public static ModelBundle write(Path dir, BundleManifest manifest, DenseNet net) throws IOException {
        Files.createDirectories(dir);
        Path weights = dir.resolve(manifest.weights());
        SafetensorsFormat.write(StateDictLoader.export(net, Map.of("model", manifest.name())), weights);
        Files.write(dir.resolve(MANIFEST), JSON.writeValueAsBytes(manifest));
        return new ModelBundle(manifest, weights);
    }

    static BundleManifest readManifest(byte[] json, String where) throws WeightsFormatException {
        try {
            return JSON.readValue(json, BundleManifest.class);
        } catch (IOException e) {
            String reason = e.getCause() instanceof IllegalArgumentException iae ? iae.getMessage() : e.getMessage();
            throw new WeightsFormatException("model bundle " + where + " has an invalid " + MANIFEST + ": " + reason, e);
        }
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = ModelBundle.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new WeightsFormatException("classpath resource " + name + " not found");
            }
            return in.readAllBytes();
        }
    }

    private static Path unzip(Path zipFile) throws IOException {
        if (!Files.isRegularFile(zipFile)) {
            throw new WeightsFormatException("model bundle " + zipFile + " does not exist");
        }
        Path dir = Files.createTempDirectory("denseserve-bundle");
        dir.toFile().deleteOnExit();
        try (ZipFile zip = new ZipFile(zipFile.toFile())) {
            ZipEntry manifestEntry = zip.getEntry(MANIFEST);
            if (manifestEntry == null) {
                throw new WeightsFormatException("model bundle " + zipFile + " has no " + MANIFEST);
            }
            byte[] manifestBytes;
            try (InputStream in = zip.getInputStream(manifestEntry)) {
                manifestBytes = in.readAllBytes();
            }
            Files.write(dir.resolve(MANIFEST), manifestBytes);
            String weightsName = readManifest(manifestBytes, zipFile.toString()).weights();
            ZipEntry weights = zip.getEntry(weightsName);
            if (weights != null && !weightsName.contains("..")) {
                Path target = dir.resolve(weightsName).normalize();
                Files.createDirectories(target.getParent());
                try (InputStream in = zip.getInputStream(weights)) {
                    Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
                }
                target.toFile().deleteOnExit();
            }
        } catch (java.util.zip.ZipException e) {
            throw new WeightsFormatException("model bundle " + zipFile + " is neither a directory nor a readable zip: "
                    + e.getMessage());
        }
        return dir;
    }
}
