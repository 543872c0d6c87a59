package dev.tangram.nvml.sim;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * Deterministic device UUIDs of a simulated node, seeded from the node name: the same description always yields the same
 * IDs, and two nodes never share one. Formatted as NVML formats them ({@code GPU-<uuid>}, {@code MIG-<uuid>}).
 */
public final class SimulatedUuids {
    private SimulatedUuids() {
    }

    public static String gpu(String node, int index) {
        return "GPU-" + UUID.nameUUIDFromBytes((node + "/gpu/" + index).getBytes(StandardCharsets.UTF_8));
    }

    public static String mig(String node, int gpuIndex, int gpuInstanceId, int computeInstanceId) {
        String seed = node + "/gpu/" + gpuIndex + "/gi/" + gpuInstanceId + "/ci/" + computeInstanceId;
        return "MIG-" + UUID.nameUUIDFromBytes(seed.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The UUID of the {@code creation}-th MIG device carved at run time: a device created where a destroyed one was gets a
     * new UUID (as on real GPUs), so a stale reference to the old one never finds the new one.
     */
    public static String createdMig(String node, int gpuIndex, int gpuInstanceId, int computeInstanceId, long creation) {
        String seed = node + "/gpu/" + gpuIndex + "/gi/" + gpuInstanceId + "/ci/" + computeInstanceId + "/created/" + creation;
        return "MIG-" + UUID.nameUUIDFromBytes(seed.getBytes(StandardCharsets.UTF_8));
    }
}
