package dev.tangram.extender.placement;

import dev.tangram.core.placement.NodeView;
import dev.tangram.core.placement.PlacementPolicy;
import dev.tangram.core.placement.PodDemand;
import dev.tangram.core.placement.policy.PlacementFeedback;

import java.util.Optional;

/**
 * A policy made safe for the extender's threads (prioritize and concurrent binds): calls are serialised, and the
 * learning feedback (each pod's arrival, told once at its first filter, and each placement that was bound) reaches policies that learn.
 */
public final class SerializedPolicy implements PlacementPolicy {
    private final PlacementPolicy delegate;

    public SerializedPolicy(PlacementPolicy delegate) {
        this.delegate = delegate;
    }

    @Override
    public String name() {
        return delegate.name();
    }

    @Override
    public synchronized Optional<ScoredAssignment> place(NodeView node, PodDemand pod) {
        return delegate.place(node, pod);
    }

    public synchronized void bound(PodDemand pod, dev.tangram.core.placement.Assignment assignment) {
        if (delegate instanceof PlacementFeedback f) {
            f.bound(pod, assignment);
        }
    }

    /** The delegate's {@link PlacementFeedback#scoreEpoch()}; {@link PlacementFeedback#NO_EPOCH} for policies that do not learn or cannot say. */
    public synchronized long scoreEpoch() {
        return delegate instanceof PlacementFeedback f ? f.scoreEpoch() : PlacementFeedback.NO_EPOCH;
    }

    public synchronized void arrived(PodDemand pod) {
        if (delegate instanceof PlacementFeedback f) {
            f.arrived(pod);
        }
    }
}
