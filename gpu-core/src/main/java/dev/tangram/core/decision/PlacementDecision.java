package dev.tangram.core.decision;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The scheduler extender's choice of devices for one pod, written at Bind as the {@code tangram.dev/placement} pod
 * annotation and consumed by the device plugin's GetPreferredAllocation.
 *
 * @param podUid     the pod the decision belongs to; a pod recreated under the same name has another UID
 * @param node       the node the pod is bound to
 * @param containers per container, the resource and the device IDs chosen for it
 * @param decidedAt  when the extender decided; a decision older than its TTL that was never consumed is void
 */
public record PlacementDecision(String podUid, String node, List<ContainerDevices> containers, Instant decidedAt) {
    public PlacementDecision {
        Objects.requireNonNull(podUid, "podUid");
        Objects.requireNonNull(node, "node");
        Objects.requireNonNull(decidedAt, "decidedAt");
        containers = List.copyOf(containers);
        if (podUid.isBlank()) {
            throw new IllegalArgumentException("a placement decision needs a pod UID");
        }
    }

    /**
     * @param container the container name
     * @param resource  the extended resource, e.g. {@code nvidia.com/gpu}
     * @param deviceIds the device IDs chosen, as the device plugin advertises them
     */
    public record ContainerDevices(String container, String resource, List<String> deviceIds) {
        public ContainerDevices {
            Objects.requireNonNull(container, "container");
            Objects.requireNonNull(resource, "resource");
            deviceIds = List.copyOf(deviceIds);
        }
    }

    public boolean expired(Instant now, Duration ttl) {
        return decidedAt.plus(ttl).isBefore(now);
    }

    /** The first container entry for {@code resource} whose devices are exactly {@code count} of {@code available}. */
    public Optional<ContainerDevices> match(String resource, int count, java.util.Collection<String> available) {
        return containers.stream()
                .filter(c -> c.resource().equals(resource) && c.deviceIds().size() == count && available.containsAll(c.deviceIds()))
                .findFirst();
    }
}
