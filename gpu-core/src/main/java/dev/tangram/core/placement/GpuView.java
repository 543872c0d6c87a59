package dev.tangram.core.placement;

import java.util.List;
import java.util.Objects;

/**
 * One GPU as placement sees it at one moment: what it is and what of it is free.
 *
 * @param position         position in the node's GPU list (and link matrix)
 * @param uuid             the GPU UUID
 * @param model            product name (or the trace's model code)
 * @param memoryMib        total memory
 * @param numaNode         NUMA node, -1 when unknown
 * @param healthy          unhealthy GPUs take nothing
 * @param freeMilli        free capacity in thousandths: 1000 = entirely free, 0 = fully used
 * @param replicas         replicas it is shared as (1 = not shared)
 * @param freeReplicaIds   device IDs of its free replicas (empty when not shared)
 * @param migEnabled       MIG mode on: only its MIG devices can be given out
 * @param freeMigDevices   its existing MIG devices that are free
 * @param usedMigSlots     8-bit mask of placement slots taken by MIG devices in use
 */
public record GpuView(int position, String uuid, String model, long memoryMib, int numaNode, boolean healthy, int freeMilli,
                      int replicas, List<String> freeReplicaIds, boolean migEnabled, List<FreeMigDevice> freeMigDevices,
                      int usedMigSlots) {
    public GpuView {
        Objects.requireNonNull(uuid, "uuid");
        Objects.requireNonNull(model, "model");
        freeReplicaIds = List.copyOf(freeReplicaIds);
        freeMigDevices = List.copyOf(freeMigDevices);
        if (freeMilli < 0 || freeMilli > 1000) {
            throw new IllegalArgumentException("GPU " + uuid + ": free milli must be 0..1000, got " + freeMilli);
        }
        if (replicas < 1) {
            throw new IllegalArgumentException("GPU " + uuid + ": replicas must be at least 1");
        }
    }

    /** An existing, unused MIG device. */
    public record FreeMigDevice(String uuid, String profile, int placementStart, int placementSize) {
    }

    /**
     * Entirely free and healthy, so it can be given out whole. A shared GPU never is: the device plugin offers it only as
     * replicas ({@code nvidia.com/gpu.shared}), so a whole-GPU request could not be allocated there.
     */
    public boolean wholeFree() {
        return healthy && !migEnabled && replicas == 1 && freeMilli == 1000;
    }

    public boolean shared() {
        return replicas > 1;
    }
}
