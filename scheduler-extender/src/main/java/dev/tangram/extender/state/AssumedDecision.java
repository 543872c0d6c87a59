package dev.tangram.extender.state;

import dev.tangram.core.decision.PlacementDecision;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A decision this extender made at Bind and holds in memory until the pod is seen carrying it, or until it expires.
 *
 * @param podKey   namespace/name
 * @param decision the devices chosen
 * @param gangKey  the gang the pod belongs to, if any
 * @param at       when it was made
 */
public record AssumedDecision(String podKey, PlacementDecision decision, Optional<String> gangKey, Instant at) {
    public AssumedDecision {
        Objects.requireNonNull(podKey, "podKey");
        Objects.requireNonNull(decision, "decision");
        Objects.requireNonNull(gangKey, "gangKey");
        Objects.requireNonNull(at, "at");
    }
}
