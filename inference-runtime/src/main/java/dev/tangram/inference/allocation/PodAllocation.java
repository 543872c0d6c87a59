package dev.tangram.inference.allocation;

import java.util.List;
import java.util.OptionalLong;

/**
 * What the pod was given, read from its environment and (when a GPU is present) NVML.
 *
 * @param visibleVariable the variable the device list came from, or null when neither is set
 * @param visible         the device list it named
 * @param devices         the devices resolved against the node's inventory
 * @param unresolved      listed ids the inventory does not know (or every id, when there is no inventory)
 * @param memoryLimitMib  {@code TANGRAM_GPU_MEMORY_LIMIT_MIB}, when set
 * @param probe           where device facts came from ({@code nvml}, {@code simulated:...}), or {@code none}
 */
public record PodAllocation(String visibleVariable, VisibleDevices visible, List<AllocatedDevice> devices, List<String> unresolved,
                            OptionalLong memoryLimitMib, String probe) {
    public PodAllocation {
        devices = List.copyOf(devices);
        unresolved = List.copyOf(unresolved);
    }

    /** Whether the pod was handed any GPU or MIG device. */
    public boolean hasGpu() {
        return !devices.isEmpty() || !unresolved.isEmpty();
    }
}
