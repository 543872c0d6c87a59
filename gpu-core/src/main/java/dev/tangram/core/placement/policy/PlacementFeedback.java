package dev.tangram.core.placement.policy;

import dev.tangram.core.placement.Assignment;
import dev.tangram.core.placement.PodDemand;

/**
 * What a policy that learns is told: every pod that arrives (before it is placed) and every placement that was bound.
 * The extender calls these from its scheduling loop, the simulator from its replay, in arrival order.
 */
public interface PlacementFeedback {
    /** A pod arrived and is about to be placed. */
    default void arrived(PodDemand pod) {
    }

    /** A pod was bound with this assignment. */
    default void bound(PodDemand pod, Assignment assignment) {
    }
}
