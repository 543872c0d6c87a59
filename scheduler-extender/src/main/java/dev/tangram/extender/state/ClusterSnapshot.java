package dev.tangram.extender.state;

import java.util.Map;
import java.util.Optional;

/** The cluster's nodes at one moment, immutable: every filter or prioritize request works on one of these. */
public record ClusterSnapshot(long version, Map<String, NodeEntry> nodes) {
    public ClusterSnapshot {
        nodes = Map.copyOf(nodes);
    }

    public static ClusterSnapshot empty() {
        return new ClusterSnapshot(0, Map.of());
    }

    public Optional<NodeEntry> node(String name) {
        return Optional.ofNullable(nodes.get(name));
    }
}
