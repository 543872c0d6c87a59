package dev.tangram.extender.state;

import dev.tangram.core.decision.PlacementDecision;
import dev.tangram.core.placement.PodDemand;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A pod as the extender sees it, free of wire types.
 *
 * @param uid        the pod UID
 * @param namespace  its namespace
 * @param name       its name
 * @param demand     its GPU demand per container (none when it asks for no managed resource)
 * @param gang       the gang it belongs to, if any
 * @param problem    why its demand cannot be read ("" when it can): such a pod fits nowhere
 * @param nodeName   the node it is bound to, "" when unbound
 * @param terminated Succeeded or Failed: holds nothing
 * @param decision   its {@code tangram.dev/placement} annotation, when present and readable
 * @param allocated  device IDs the device plugin recorded for it (empty when none)
 */
public record PodInfo(String uid, String namespace, String name, PodDemand demand, Optional<GangRef> gang, String problem,
                      String nodeName, boolean terminated, Optional<PlacementDecision> decision, List<String> allocated) {
    public PodInfo {
        Objects.requireNonNull(uid, "uid");
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(demand, "demand");
        Objects.requireNonNull(gang, "gang");
        Objects.requireNonNull(problem, "problem");
        Objects.requireNonNull(nodeName, "nodeName");
        Objects.requireNonNull(decision, "decision");
        allocated = List.copyOf(allocated);
    }

    public String key() {
        return namespace + "/" + name;
    }

    public boolean bound() {
        return !nodeName.isEmpty();
    }

    /** The decision, when it really belongs to this pod (a recreated pod under the same name has another UID). */
    public Optional<PlacementDecision> ownDecision() {
        return decision.filter(d -> d.podUid().equals(uid));
    }

    /** The devices it holds and where, when known: its own decision, else what the device plugin recorded. */
    public Optional<Holding> holding() {
        if (terminated) {
            return Optional.empty();
        }
        Optional<PlacementDecision> own = ownDecision();
        if (own.isPresent() && (nodeName.isEmpty() || nodeName.equals(own.get().node()))) {
            return Optional.of(new Holding(own.get().node(),
                    own.get().containers().stream().flatMap(c -> c.deviceIds().stream()).toList()));
        }
        if (!allocated.isEmpty() && bound()) {
            return Optional.of(new Holding(nodeName, allocated));
        }
        return Optional.empty();
    }

    /** Devices held on a node. */
    public record Holding(String node, List<String> deviceIds) {
        public Holding {
            deviceIds = List.copyOf(deviceIds);
        }
    }

    /** A gang: pods placed all or nothing. {@code size} is the number of members it needs. */
    public record GangRef(String key, int size) {
        public GangRef {
            Objects.requireNonNull(key, "key");
            if (size < 1) {
                throw new IllegalArgumentException("gang " + key + " needs a size of at least 1, got " + size);
            }
        }
    }
}
