package dev.tangram.deviceplugin.allocation;

import java.util.List;
import java.util.Map;

/**
 * What one container is given, before it is put on the wire.
 *
 * @param envs        environment variables
 * @param mounts      bind mounts
 * @param devices     device nodes
 * @param cdiDevices  fully qualified CDI device names
 * @param annotations container annotations
 */
public record ContainerAllocation(Map<String, String> envs, List<Mount> mounts, List<DeviceNode> devices, List<String> cdiDevices,
                                  Map<String, String> annotations) {
    public ContainerAllocation {
        envs = Map.copyOf(envs);
        mounts = List.copyOf(mounts);
        devices = List.copyOf(devices);
        cdiDevices = List.copyOf(cdiDevices);
        annotations = Map.copyOf(annotations);
    }

    public record Mount(String containerPath, String hostPath, boolean readOnly) {
    }

    /** A device node; permissions as the kubelet spells them ({@code rw}, {@code rwm}). */
    public record DeviceNode(String containerPath, String hostPath, String permissions) {
    }
}
