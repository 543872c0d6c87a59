package dev.tangram.inference.allocation;

import dev.tangram.core.model.Gpu;
import dev.tangram.core.model.MigDevice;
import dev.tangram.core.model.NodeInventory;
import dev.tangram.core.names.TangramNames;
import dev.tangram.core.probe.GpuMetrics;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Reads the pod's allocation from its environment, resolving the listed devices against the node inventory the GPU
 * probe answered. A pure function: the caller gathers the environment, the inventory and the metrics.
 */
public final class PodAllocationReader {
    private PodAllocationReader() {
    }

    /**
     * @param env       the process environment
     * @param inventory what the GPU probe sees, empty when no GPU library is present
     * @param metrics   NVML gauges by GPU UUID (for free memory), may be empty
     * @param probe     the probe's name for the record ({@code none} without one)
     * @throws IllegalArgumentException when {@code TANGRAM_GPU_MEMORY_LIMIT_MIB} is not a positive whole number
     */
    public static PodAllocation read(Map<String, String> env, Optional<NodeInventory> inventory, Map<String, GpuMetrics> metrics,
                                     String probe) {
        String variable = null;
        String value = null;
        for (String name : List.of(TangramNames.ENV_NVIDIA_VISIBLE_DEVICES, TangramNames.ENV_CUDA_VISIBLE_DEVICES)) {
            if (env.containsKey(name)) {
                variable = name;
                value = env.get(name);
                break;
            }
        }
        VisibleDevices visible = VisibleDevices.parse(value);
        List<AllocatedDevice> devices = new ArrayList<>();
        List<String> unresolved = new ArrayList<>();
        if (visible.all()) {
            inventory.ifPresent(inv -> inv.gpus().forEach(g -> {
                if (g.migEnabled()) {
                    g.migDevices().forEach(m -> devices.add(mig(m.uuid(), g, m)));
                } else {
                    devices.add(full(g.uuid(), g, metrics));
                }
            }));
            if (inventory.isEmpty()) {
                unresolved.add("all");
            }
        }
        for (String id : visible.ids()) {
            Optional<AllocatedDevice> d = inventory.flatMap(inv -> resolve(id, inv, metrics));
            if (d.isPresent()) {
                devices.add(d.get());
            } else {
                unresolved.add(id);
            }
        }
        return new PodAllocation(variable, visible, devices, unresolved, memoryLimit(env), probe);
    }

    private static OptionalLong memoryLimit(Map<String, String> env) {
        String raw = env.get(TangramNames.ENV_GPU_MEMORY_LIMIT_MIB);
        if (raw == null || raw.isBlank()) {
            return OptionalLong.empty();
        }
        try {
            long v = Long.parseLong(raw.trim());
            if (v > 0) {
                return OptionalLong.of(v);
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(TangramNames.ENV_GPU_MEMORY_LIMIT_MIB + " must be a positive number of MiB, got '" + raw + "'");
    }

    private static Optional<AllocatedDevice> resolve(String id, NodeInventory inv, Map<String, GpuMetrics> metrics) {
        for (Gpu g : inv.gpus()) {
            if (g.uuid().equals(id) || id.equals(String.valueOf(g.index()))) {
                return Optional.of(full(id, g, metrics));
            }
            for (MigDevice m : g.migDevices()) {
                // MIG-<uuid>, or the older MIG-<gpu uuid>/<gi>/<ci> form
                if (m.uuid().equals(id) || id.equals("MIG-" + g.uuid() + "/" + m.gpuInstanceId() + "/" + m.computeInstanceId())) {
                    return Optional.of(mig(id, g, m));
                }
            }
        }
        return Optional.empty();
    }

    private static AllocatedDevice full(String id, Gpu g, Map<String, GpuMetrics> metrics) {
        GpuMetrics m = metrics.get(g.uuid());
        OptionalLong free = m == null ? OptionalLong.empty() : OptionalLong.of(Math.max(0, m.memoryTotalMib() - m.memoryUsedMib()));
        return new AllocatedDevice(id, g.uuid(), "gpu", g.product(), g.memoryMib(), free);
    }

    private static AllocatedDevice mig(String id, Gpu parent, MigDevice m) {
        return new AllocatedDevice(id, m.uuid(), "mig", parent.product() + " MIG " + m.profile(), m.memoryMib(), OptionalLong.empty());
    }
}
