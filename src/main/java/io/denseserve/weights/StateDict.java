package io.denseserve.weights;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An ordered map from PyTorch state_dict key to tensor, as read from or written to a weights
 * file, plus free-form string metadata (safetensors' {@code __metadata__}).
 */
public final class StateDict {

    private final Map<String, HostTensor> tensors;
    private final Map<String, String> metadata;

    public StateDict(Map<String, HostTensor> tensors, Map<String, String> metadata) {
        this.tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
        this.metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
    }

    public StateDict(Map<String, HostTensor> tensors) {
        this(tensors, Map.of());
    }

    public Map<String, HostTensor> tensors() {
        return tensors;
    }

    public Map<String, String> metadata() {
        return metadata;
    }

    public HostTensor get(String key) {
        return tensors.get(key);
    }

    public int size() {
        return tensors.size();
    }
}
