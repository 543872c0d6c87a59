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

    /** {@link #scoreEpoch()} of a policy that does not say when its answers change. */
    long NO_EPOCH = Long.MIN_VALUE;

    /**
     * A number that stays the same for as long as {@code place(node, pod)} answers the same for nodes of equal capacity
     * and equal demands (what was learned has not been re-read), so that callers may keep answers across pods; or
     * {@link #NO_EPOCH} when the policy cannot say.
     */
    default long scoreEpoch() {
        return NO_EPOCH;
    }
}
