package dev.tangram.core.placement;

import java.util.Optional;

/**
 * A way of choosing where a pod goes: for one node, the devices it would pick and how good that choice is. The extender's
 * prioritize and bind, and the simulator, all call the same policy. Implementations are pure functions of their inputs
 * (plus, for learning policies, the workload they were told about).
 */
public interface PlacementPolicy {
    /** The policy's name as the simulator and config spell it: random, bestfit, dotprod, packing, clustering, fgd, tangram, topology. */
    String name();

    /**
     * The best placement of {@code pod} on {@code node}, or empty when it does not fit. Higher scores are better; scores
     * are comparable across nodes for one pod, not across pods.
     */
    Optional<ScoredAssignment> place(NodeView node, PodDemand pod);

    /** A placement and its score. */
    record ScoredAssignment(Assignment assignment, double score) {
    }
}
