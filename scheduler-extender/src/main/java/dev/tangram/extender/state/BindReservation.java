package dev.tangram.extender.state;

import dev.tangram.core.decision.PlacementDecision;

/** The outcome of reserving devices for a bind: the decision to write, or why there is none. */
public sealed interface BindReservation {
    /**
     * Devices are held for the pod in memory; {@code fresh} is false when an earlier bind of the same pod made them
     * ({@code assignment} is then empty).
     */
    record Reserved(PlacementDecision decision, boolean fresh, java.util.Optional<dev.tangram.core.placement.Assignment> assignment)
            implements BindReservation {
    }

    record Refused(String reason) implements BindReservation {
    }
}
