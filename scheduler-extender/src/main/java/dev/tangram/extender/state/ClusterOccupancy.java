package dev.tangram.extender.state;

import dev.tangram.core.placement.PodDemand;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Who holds which device, taken together with a {@link ClusterSnapshot} under the state's lock: what the GPU map shows.
 * Immutable.
 *
 * @param snapshot the nodes and their free devices
 * @param holders  per node, per device ID (whole GPU UUID, replica ID, MIG UUID): who holds it
 * @param workload the demands of the pods the extender knows that ask for GPUs (pending and running, not terminated)
 */
public record ClusterOccupancy(ClusterSnapshot snapshot, Map<String, Map<String, Holder>> holders, List<PodDemand> workload) {
    public ClusterOccupancy {
        Objects.requireNonNull(snapshot, "snapshot");
        Map<String, Map<String, Holder>> copy = new HashMap<>();
        holders.forEach((node, byId) -> copy.put(node, Map.copyOf(byId)));
        holders = Map.copyOf(copy);
        workload = List.copyOf(workload);
    }

    /** Why a device is taken. */
    public enum HolderKind {
        /** a pod carries a decision naming it (or the device plugin recorded it for the pod) */
        POD,
        /** this extender chose it at bind and has not yet seen the pod carry the decision */
        BINDING,
        /** planned for a gang member that has not bound yet */
        GANG
    }

    /**
     * @param kind why it is taken
     * @param name the pod ({@code namespace/name}) or the gang key
     */
    public record Holder(HolderKind kind, String name) {
        public Holder {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(name, "name");
        }
    }

    public Map<String, Holder> holdersOn(String node) {
        return holders.getOrDefault(node, Map.of());
    }
}
