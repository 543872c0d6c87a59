package dev.tangram.deviceplugin.allocation;

import dev.tangram.core.model.Gpu;
import dev.tangram.core.model.MigDevice;
import dev.tangram.core.names.TangramNames;
import dev.tangram.deviceplugin.config.DeviceIdStrategy;
import dev.tangram.deviceplugin.config.DeviceListStrategy;
import dev.tangram.deviceplugin.config.SharingConfig;
import dev.tangram.deviceplugin.resources.AdvertisedDevice;
import dev.tangram.deviceplugin.resources.DeviceKind;
import dev.tangram.deviceplugin.resources.PluginResource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Builds what one container gets for the device IDs the kubelet allocated to it: the visible-devices variable (or mounts, or
 * CDI names, by the device list strategy), the device nodes, Tangram's variables (resource, memory share, replicas, MPS) and
 * annotations. Pure; an unusable request is an {@link AllocationException} naming the IDs.
 */
public final class AllocationResponder {
    /** Where volume-mounts put one empty file per device, as the NVIDIA container runtime expects. */
    public static final String VOLUME_MOUNT_DIR = "/var/run/nvidia-container-devices";
    /** The CDI annotation key prefix the runtime reads. */
    public static final String CDI_ANNOTATION_PREFIX = "cdi.k8s.io/";
    /** Where the MPS pipe directory appears in the container. */
    public static final String MPS_PIPE_IN_CONTAINER = "/run/tangram/mps/pipe";

    private final DeviceListStrategy listStrategy;
    private final DeviceIdStrategy idStrategy;
    private final SharingConfig sharing;
    private final Path devRoot;
    private final MigCapabilities caps;

    public AllocationResponder(DeviceListStrategy listStrategy, DeviceIdStrategy idStrategy, SharingConfig sharing, Path devRoot,
                               MigCapabilities caps) {
        this.listStrategy = listStrategy;
        this.idStrategy = idStrategy;
        this.sharing = sharing;
        this.devRoot = devRoot;
        this.caps = caps;
    }

    public ContainerAllocation respond(PluginResource resource, List<String> deviceIds) {
        if (deviceIds.isEmpty()) {
            throw new AllocationException("Allocate for " + resource.name() + " names no device IDs");
        }
        Map<String, AdvertisedDevice> byId = resource.byId();
        Set<String> unknown = new TreeSet<>();
        Set<String> seen = new LinkedHashSet<>();
        Set<String> duplicates = new TreeSet<>();
        List<AdvertisedDevice> devices = new ArrayList<>();
        for (String id : deviceIds) {
            AdvertisedDevice d = byId.get(id);
            if (d == null) {
                unknown.add(id);
            } else if (!seen.add(id)) {
                duplicates.add(id);
            } else {
                devices.add(d);
            }
        }
        if (!unknown.isEmpty()) {
            throw new AllocationException("unknown device IDs for " + resource.name() + ": " + String.join(", ", unknown));
        }
        if (!duplicates.isEmpty()) {
            throw new AllocationException("duplicate device IDs for " + resource.name() + ": " + String.join(", ", duplicates));
        }
        boolean replicas = devices.getFirst().kind() == DeviceKind.REPLICA;
        if (replicas && sharing.failRequestsGreaterThanOne() && devices.size() > 1) {
            throw new AllocationException("requests for more than one shared replica are refused (failRequestsGreaterThanOne): "
                    + String.join(", ", deviceIds));
        }
        Map<String, Integer> replicasPerGpu = new LinkedHashMap<>();
        devices.forEach(d -> replicasPerGpu.merge(d.gpuUuid(), 1, Integer::sum));
        if (replicas && sharing.mps() && replicasPerGpu.size() > 1) {
            throw new AllocationException("MPS replicas of one container must share one GPU, got replicas on " + replicasPerGpu.keySet()
                    + ": " + String.join(", ", deviceIds));
        }

        List<String> visible = visibleIds(devices);
        Map<String, String> envs = new LinkedHashMap<>();
        List<ContainerAllocation.Mount> mounts = new ArrayList<>();
        List<String> cdi = new ArrayList<>();
        Map<String, String> annotations = new LinkedHashMap<>();
        switch (listStrategy) {
            case ENVVAR -> envs.put(TangramNames.ENV_NVIDIA_VISIBLE_DEVICES, String.join(",", visible));
            case VOLUME_MOUNTS -> {
                envs.put(TangramNames.ENV_NVIDIA_VISIBLE_DEVICES, VOLUME_MOUNT_DIR);
                for (String v : visible) {
                    mounts.add(new ContainerAllocation.Mount(VOLUME_MOUNT_DIR + "/" + v, "/dev/null", true));
                }
            }
            case CDI -> {
                envs.put(TangramNames.ENV_NVIDIA_VISIBLE_DEVICES, "void");
                for (String v : visible) {
                    cdi.add(cdiName(v));
                }
                annotations.put(CDI_ANNOTATION_PREFIX + "tangram-device-plugin_" + resource.socketName().replace(".sock", ""), String.join(",", cdi));
            }
        }
        envs.put(TangramNames.ENV_RESOURCE, resource.name());
        envs.put(TangramNames.ENV_GPU_MEMORY_LIMIT_MIB, Long.toString(memoryLimit(devices, replicasPerGpu)));
        if (replicas) {
            int perGpu = replicasPerGpu.values().stream().mapToInt(Integer::intValue).min().orElse(1);
            envs.put(TangramNames.ENV_GPU_REPLICAS, Integer.toString(devices.size()));
            if (sharing.mps()) {
                Gpu gpu = devices.getFirst().gpu();
                int total = gpu.replicas();
                envs.put(TangramNames.ENV_CUDA_MPS_PIPE_DIRECTORY, MPS_PIPE_IN_CONTAINER);
                envs.put(TangramNames.ENV_CUDA_MPS_ACTIVE_THREAD_PERCENTAGE, Integer.toString(Math.max(1, 100 * perGpu / total)));
                envs.put(TangramNames.ENV_CUDA_MPS_PINNED_DEVICE_MEM_LIMIT, "0=" + memoryLimit(devices, replicasPerGpu) + "M");
                mounts.add(new ContainerAllocation.Mount(MPS_PIPE_IN_CONTAINER,
                        sharing.mpsRoot().resolve(gpu.uuid()).resolve("pipe").toString(), false));
            }
        }
        annotations.put(TangramNames.ANNOTATION_ALLOCATED, String.join(",", deviceIds));
        return new ContainerAllocation(envs, mounts, deviceNodes(devices), cdi, annotations);
    }

    /** What the container is told a device is called: UUIDs or indices, one per physical GPU or MIG device. */
    public List<String> visibleIds(List<AdvertisedDevice> devices) {
        Set<String> out = new LinkedHashSet<>();
        for (AdvertisedDevice d : devices) {
            out.add(visibleId(d));
        }
        return List.copyOf(out);
    }

    public String visibleId(AdvertisedDevice d) {
        Gpu g = d.gpu();
        if (d.kind() == DeviceKind.MIG) {
            MigDevice m = d.mig().orElseThrow();
            return idStrategy == DeviceIdStrategy.UUID ? m.uuid() : migIndex(g, m);
        }
        return idStrategy == DeviceIdStrategy.UUID ? g.uuid() : Integer.toString(g.index());
    }

    /** {@code <gpu index>:<position of the MIG device on its GPU>}, as nvidia-smi lists them. */
    public static String migIndex(Gpu g, MigDevice m) {
        return g.index() + ":" + g.migDevices().indexOf(m);
    }

    public static String cdiName(String deviceName) {
        return TangramNames.CDI_VENDOR + "/" + TangramNames.CDI_CLASS_GPU + "=" + deviceName;
    }

    private static long memoryLimit(List<AdvertisedDevice> devices, Map<String, Integer> replicasPerGpu) {
        if (devices.getFirst().kind() == DeviceKind.REPLICA) {
            long share = devices.getFirst().memoryMib();
            return share * replicasPerGpu.values().stream().mapToInt(Integer::intValue).min().orElse(1);
        }
        return devices.stream().mapToLong(AdvertisedDevice::memoryMib).min().orElse(0);
    }

    private List<ContainerAllocation.DeviceNode> deviceNodes(List<AdvertisedDevice> devices) {
        Set<String> names = new LinkedHashSet<>(List.of("nvidiactl", "nvidia-uvm", "nvidia-uvm-tools"));
        for (AdvertisedDevice d : devices) {
            names.add("nvidia" + d.gpu().minor());
            d.mig().ifPresent(m -> {
                names.add("nvidia-caps/nvidia-cap" + caps.gpuInstanceAccess(d.gpu().minor(), m.gpuInstanceId()));
                names.add("nvidia-caps/nvidia-cap" + caps.computeInstanceAccess(d.gpu().minor(), m.gpuInstanceId(), m.computeInstanceId()));
            });
        }
        List<ContainerAllocation.DeviceNode> out = new ArrayList<>();
        for (String n : names) {
            out.add(new ContainerAllocation.DeviceNode("/dev/" + n, devRoot.resolve(n).toString(), n.startsWith("nvidia-caps/") ? "r" : "rw"));
        }
        return out;
    }
}
