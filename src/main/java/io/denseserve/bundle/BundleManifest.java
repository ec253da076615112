package io.denseserve.bundle;

import io.denseserve.model.DenseNetConfig;
import java.util.List;
import java.util.Map;

/**
 * What a model bundle says about itself, stored as {@code manifest.json} beside its weights:
 * enough to rebuild the network, prepare its input, name its outputs and say where it came from.
 *
 * @param schemaVersion manifest format version, {@value #SCHEMA_VERSION}
 * @param name model name, as served under {@code /models/{name}}
 * @param version model version
 * @param architecture the DenseNet's numbers
 * @param weights the weights file inside the bundle (safetensors)
 * @param preprocessing how to turn an image into the network's input
 * @param labels class names, one per classifier output
 * @param provenance where the weights came from: dataset, training, accuracy, source
 */
public record BundleManifest(
        int schemaVersion,
        String name,
        String version,
        DenseNetConfig architecture,
        String weights,
        Preprocessing preprocessing,
        List<String> labels,
        Map<String, Object> provenance) {

    public static final int SCHEMA_VERSION = 1;

    public BundleManifest {
        labels = List.copyOf(labels);
        provenance = provenance == null ? Map.of() : Map.copyOf(provenance);
        if (schemaVersion != SCHEMA_VERSION) {
            throw new IllegalArgumentException("unsupported manifest schemaVersion " + schemaVersion
                    + " (this build reads " + SCHEMA_VERSION + ")");
        }
        if (name == null || !name.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,63}")) {
            throw new IllegalArgumentException("model name must be 1-64 of [A-Za-z0-9._-]: " + name);
        }
        if (architecture == null || preprocessing == null || weights == null) {
            throw new IllegalArgumentException("manifest needs architecture, preprocessing and weights");
        }
        if (labels.size() != architecture.numClasses()) {
            throw new IllegalArgumentException(labels.size() + " labels for " + architecture.numClasses() + " classes");
        }
        if (preprocessing.colorMode().channels() != architecture.inChannels()) {
            throw new IllegalArgumentException("preprocessing yields " + preprocessing.colorMode().channels()
                    + " channels, architecture takes " + architecture.inChannels());
        }
    }
}
