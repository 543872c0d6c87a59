package dev.tangram.core.placement;

import java.util.Objects;

/** The outcome of checking one pod against one node: a value, never an exception. */
public sealed interface FitResult {
    /** The pod fits; {@code assignment} is one set of devices that would serve it. */
    record Fits(Assignment assignment) implements FitResult {
        public Fits {
            Objects.requireNonNull(assignment, "assignment");
        }
    }

    /** Does not fit now, but could after preemption or departures ({@code FailedNodes}). */
    record Unschedulable(String reason) implements FitResult {
    }

    /** Can never fit on this node as it is built ({@code FailedAndUnresolvableNodes}): wrong model, too few GPUs in all. */
    record Unresolvable(String reason) implements FitResult {
    }

    default boolean fits() {
        return this instanceof Fits;
    }
}
