package dev.tangram.core.placement;

import java.util.List;
import java.util.Objects;

/**
 * Concrete devices chosen for a pod on one node.
 *
 * @param node       the node
 * @param containers per container, what it gets
 */
public record Assignment(String node, List<ContainerAssignment> containers) {
    public Assignment {
        Objects.requireNonNull(node, "node");
        containers = List.copyOf(containers);
    }

    /**
     * @param container    container name
     * @param resource     extended resource
     * @param deviceIds    device IDs as advertised (GPU UUIDs, MIG UUIDs, replica IDs)
     * @param gpuPositions the GPUs touched, by position in the node
     * @param milliPerGpu  thousandths taken from each of those GPUs
     */
    public record ContainerAssignment(String container, String resource, List<String> deviceIds, List<Integer> gpuPositions,
                                      int milliPerGpu) {
        public ContainerAssignment {
            Objects.requireNonNull(container, "container");
            Objects.requireNonNull(resource, "resource");
            deviceIds = List.copyOf(deviceIds);
            gpuPositions = List.copyOf(gpuPositions);
        }
    }
}
