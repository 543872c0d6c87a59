package dev.tangram.core.placement;

import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * What one pod needs from a node: CPU and memory (0 when the caller leaves those to kube-scheduler), its containers' GPU
 * demands, and the GPU models it accepts.
 *
 * @param key           namespace/name, or the trace pod's name
 * @param cpuMilli      CPU in thousandths of a core
 * @param memoryMib     host memory
 * @param containers    GPU demands, one per container that asks for GPUs
 * @param allowedModels GPU models (product or trace model names) it may run on; empty = any
 */
public record PodDemand(String key, long cpuMilli, long memoryMib, List<ContainerDemand> containers, Set<String> allowedModels) {
    public PodDemand {
        Objects.requireNonNull(key, "key");
        containers = List.copyOf(containers);
        allowedModels = Set.copyOf(allowedModels);
        if (cpuMilli < 0 || memoryMib < 0) {
            throw new IllegalArgumentException("pod " + key + ": CPU and memory must not be negative");
        }
    }

    public boolean needsGpu() {
        return !containers.isEmpty();
    }

    /** GPU demand in thousandths of a GPU, summed over containers (whole GPUs count 1000 each; MIG by compute slices / 7). */
    public long gpuMilli() {
        long total = 0;
        for (ContainerDemand c : containers) {
            total += switch (c.demand()) {
                case GpuDemand.WholeGpus w -> 1000L * w.count();
                case GpuDemand.GpuFraction f -> f.milli();
                case GpuDemand.SharedReplicas r -> 0L; // depends on the GPU's replica count; callers that need it use GpuView
                case GpuDemand.MigDevices m -> 0L;    // depends on the profile; callers that need it use MigProfile
            };
        }
        return total;
    }

    public boolean acceptsModel(String model) {
        return allowedModels.isEmpty() || allowedModels.contains(model);
    }
}
