package dev.tangram.dra.prepare;

import dev.tangram.dra.config.SharingConfig;
import dev.tangram.dra.device.DeviceTarget;

import java.util.Objects;
import java.util.Optional;

/**
 * One device of a claim as the driver will prepare it.
 *
 * @param request    the request name without subrequest suffix
 * @param pool       the pool (node) it is in
 * @param deviceName its name in the pool
 * @param target     what it stands for on the node
 * @param shareId    set when other claims may share it
 * @param memoryMib  the memory this claim gets of it
 * @param sharing    the sharing settings of its request
 */
public record PlannedDevice(String request, String pool, String deviceName, DeviceTarget target, Optional<String> shareId,
                            long memoryMib, SharingConfig sharing) {
    public PlannedDevice {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(pool, "pool");
        Objects.requireNonNull(deviceName, "deviceName");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(shareId, "shareId");
        Objects.requireNonNull(sharing, "sharing");
    }
}
