package dev.tangram.dra.prepare;

import dev.tangram.core.model.MigDevice;
import dev.tangram.core.names.TangramNames;
import dev.tangram.dra.claim.ClaimRef;
import dev.tangram.dra.config.SharingConfig;
import dev.tangram.dra.device.DeviceTarget;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Computes the container edits of a claim (a pure function): {@code NVIDIA_VISIBLE_DEVICES} with exactly the claim's GPUs
 * or MIG devices, their device nodes, and Tangram's allocation variables (the memory share, the claim, the sharing
 * settings).
 */
public final class ContainerEditsPlanner {
    public static final List<String> CONTROL_DEVICE_NODES = List.of("/dev/nvidiactl", "/dev/nvidia-uvm", "/dev/nvidia-uvm-tools");

    private ContainerEditsPlanner() {
    }

    /**
     * @param claim    the claim
     * @param devices  its planned devices, in allocation order
     * @param created  the MIG device created for each partition device, by device name
     * @param caps     the capability device minors of MIG instances
     */
    public static ContainerEdits edits(ClaimRef claim, List<PlannedDevice> devices, Map<String, MigDevice> created,
                                       MigCapabilities caps) {
        List<ContainerEdits.DeviceEdits> perDevice = new ArrayList<>();
        Set<String> visible = new LinkedHashSet<>();
        long memoryLimit = Long.MAX_VALUE;
        for (PlannedDevice d : devices) {
            int minor = d.target().gpu().minor();
            List<String> nodes = new ArrayList<>(List.of("/dev/nvidia" + minor));
            String visibleId = switch (d.target()) {
                case DeviceTarget.WholeGpu w -> w.gpu().uuid();
                case DeviceTarget.MigPartition p -> {
                    MigDevice mig = created.get(d.deviceName());
                    if (mig == null) {
                        throw new IllegalStateException("no MIG device was created for " + d.deviceName());
                    }
                    nodes.addAll(caps.deviceNodes(minor, mig.gpuInstanceId(), mig.computeInstanceId()));
                    yield mig.uuid();
                }
            };
            visible.add(visibleId);
            perDevice.add(new ContainerEdits.DeviceEdits(d.deviceName(), visibleId, nodes));
            memoryLimit = Math.min(memoryLimit, d.memoryMib());
        }
        List<String> env = new ArrayList<>();
        env.add(TangramNames.ENV_NVIDIA_VISIBLE_DEVICES + "=" + (visible.isEmpty() ? "void" : String.join(",", visible)));
        env.add(TangramNames.ENV_RESOURCE + "=" + TangramNames.DRA_DRIVER);
        env.add(TangramNames.ENV_DRA_CLAIM + "=" + claim.namespace() + "/" + claim.name());
        if (!devices.isEmpty()) {
            env.add(TangramNames.ENV_GPU_MEMORY_LIMIT_MIB + "=" + memoryLimit);
        }
        SharingConfig sharing = devices.isEmpty() ? SharingConfig.NONE : devices.getFirst().sharing();
        boolean sharedAcrossClaims = devices.stream().anyMatch(d -> d.shareId().isPresent());
        switch (sharing) {
            case SharingConfig.TimeSlicing t -> {
                env.add(TangramNames.ENV_SHARING_STRATEGY + "=time-slicing");
                env.add(TangramNames.ENV_TIMESLICE_INTERVAL + "=" + t.interval());
            }
            case SharingConfig.Mps m -> {
                env.add(TangramNames.ENV_SHARING_STRATEGY + "=mps");
                env.add(TangramNames.ENV_CUDA_MPS_ACTIVE_THREAD_PERCENTAGE + "=" + m.activeThreadPercentage());
                if (m.pinnedMemoryLimitMib() > 0) {
                    List<String> limits = new ArrayList<>();
                    for (int ordinal = 0; ordinal < visible.size(); ordinal++) {
                        limits.add(ordinal + "=" + m.pinnedMemoryLimitMib() + "M");
                    }
                    env.add(TangramNames.ENV_CUDA_MPS_PINNED_DEVICE_MEM_LIMIT + "=" + String.join(",", limits));
                }
            }
            case SharingConfig.None n -> {
                if (sharedAcrossClaims) {
                    env.add(TangramNames.ENV_SHARING_STRATEGY + "=time-slicing");
                    env.add(TangramNames.ENV_TIMESLICE_INTERVAL + "=" + SharingConfig.Interval.Default);
                }
            }
        }
        return new ContainerEdits(env, devices.isEmpty() ? List.of() : CONTROL_DEVICE_NODES, perDevice);
    }
}
