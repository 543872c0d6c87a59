package dev.tangram.extender.state;

import dev.tangram.core.placement.NodeView;

import java.util.Objects;
import java.util.Optional;

/**
 * One node in a snapshot: where its devices come from and, when it has an inventory, its GPUs as they are now (devices
 * held by bound pods, assumed decisions and gang reservations taken).
 */
public record NodeEntry(NodeSource source, Optional<NodeView> view, Optional<NodeShape> shape) {
    public NodeEntry {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(view, "view");
        Objects.requireNonNull(shape, "shape");
    }

    public String name() {
        return source.name();
    }
}
