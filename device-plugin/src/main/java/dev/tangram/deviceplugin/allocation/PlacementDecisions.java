package dev.tangram.deviceplugin.allocation;

import dev.tangram.core.decision.PlacementDecision;

import java.util.List;

/** The port through which the plugin sees the extender's decisions for pods bound to this node. */
public interface PlacementDecisions {
    /** Decisions of the pods bound to this node now (any age; the matcher applies the TTL). */
    List<PlacementDecision> current();

    /** No Kubernetes API: no decisions. */
    PlacementDecisions NONE = List::of;
}
