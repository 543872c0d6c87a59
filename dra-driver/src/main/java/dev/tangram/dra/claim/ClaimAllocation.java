package dev.tangram.dra.claim;

import java.util.List;
import java.util.Objects;

/** A ResourceClaim as the driver needs it: who it is and what the scheduler allocated (every driver's devices). */
public record ClaimAllocation(ClaimRef ref, List<AllocatedDevice> devices, List<OpaqueConfig> configs) {
    public ClaimAllocation {
        Objects.requireNonNull(ref, "ref");
        devices = List.copyOf(devices);
        configs = List.copyOf(configs);
    }

    public List<AllocatedDevice> devicesOf(String driver) {
        return devices.stream().filter(d -> d.driver().equals(driver)).toList();
    }
}
