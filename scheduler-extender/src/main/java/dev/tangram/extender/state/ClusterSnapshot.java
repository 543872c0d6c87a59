package dev.tangram.extender.state;

import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The cluster's nodes at one moment, immutable: every filter or prioritize request works on one of these. Held in a
 * {@link HashMap} (read-only view): a lookup by a name parsed from a request compares cached hashes before it reads a
 * key's characters, which {@code Map.copyOf}'s open addressing does not; filter and prioritize make one lookup per
 * candidate name.
 */
public record ClusterSnapshot(long version, Map<String, NodeEntry> nodes) {
    public ClusterSnapshot {
        nodes = Collections.unmodifiableMap(new HashMap<>(nodes));
    }

    public static ClusterSnapshot empty() {
        return new ClusterSnapshot(0, Map.of());
    }

    public Optional<NodeEntry> node(String name) {
        return Optional.ofNullable(nodes.get(name));
    }
}
