package dev.tangram.dra.prepare;

import java.util.List;
import java.util.Objects;

/**
 * What a container using a claim gets: environment ({@code NAME=value}, the same for every device of the claim), device
 * nodes every GPU container needs, and the device nodes of each device.
 */
public record ContainerEdits(List<String> env, List<String> commonDeviceNodes, List<DeviceEdits> devices) {
    public ContainerEdits {
        env = List.copyOf(env);
        commonDeviceNodes = List.copyOf(commonDeviceNodes);
        devices = List.copyOf(devices);
    }

    /** The edits of one device: its name in the pool, the id the container sees, and its device nodes. */
    public record DeviceEdits(String deviceName, String visibleId, List<String> deviceNodes) {
        public DeviceEdits {
            Objects.requireNonNull(deviceName, "deviceName");
            Objects.requireNonNull(visibleId, "visibleId");
            deviceNodes = List.copyOf(deviceNodes);
        }
    }
}
