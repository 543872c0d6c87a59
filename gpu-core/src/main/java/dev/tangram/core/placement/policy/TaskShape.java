package dev.tangram.core.placement.policy;

import dev.tangram.core.placement.ContainerDemand;
import dev.tangram.core.placement.GpuDemand;
import dev.tangram.core.placement.PodDemand;

import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The resource shape of a task, as the fragmentation measure sees it: CPU, host memory, and either nothing, a fraction of
 * one GPU, or some whole GPUs, on the GPU models it accepts.
 *
 * @param cpuMilli  CPU in thousandths of a core
 * @param memoryMib host memory
 * @param gpuMilli  thousandths of a GPU needed on each GPU it uses (0 for CPU-only tasks, 1000 for whole GPUs)
 * @param gpuCount  GPUs it uses (0 for CPU-only tasks)
 * @param models    GPU models it accepts; empty = any
 */
public record TaskShape(long cpuMilli, long memoryMib, int gpuMilli, int gpuCount, Set<String> models) {
    public TaskShape {
        Objects.requireNonNull(models, "models");
        models = Set.copyOf(models);
        if (cpuMilli < 0 || memoryMib < 0) {
            throw new IllegalArgumentException("task shape: CPU and memory must not be negative");
        }
        if (gpuCount < 0 || gpuMilli < 0 || gpuMilli > 1000 || (gpuCount == 0) != (gpuMilli == 0)) {
            throw new IllegalArgumentException("task shape: bad GPU request " + gpuCount + " x " + gpuMilli + "m");
        }
        if (gpuCount > 1 && gpuMilli != 1000) {
            throw new IllegalArgumentException("task shape: a task on several GPUs takes them whole, not " + gpuMilli + "m each");
        }
    }

    public static TaskShape of(long cpuMilli, long memoryMib, int gpuMilli, int gpuCount) {
        return new TaskShape(cpuMilli, memoryMib, gpuMilli, gpuCount, Set.of());
    }

    /**
     * The shape of a pod, or empty when its GPU demand is not a fraction or whole GPUs of one container (MIG devices and
     * shared replicas are sized by the device, not the task, and are left out of the fragmentation workload).
     */
    public static Optional<TaskShape> of(PodDemand pod) {
        if (pod.containers().isEmpty()) {
            return Optional.of(new TaskShape(pod.cpuMilli(), pod.memoryMib(), 0, 0, pod.allowedModels()));
        }
        if (pod.containers().size() > 1) {
            int whole = 0;
            for (ContainerDemand c : pod.containers()) {
                if (!(c.demand() instanceof GpuDemand.WholeGpus w)) {
                    return Optional.empty();
                }
                whole += w.count();
            }
            return Optional.of(new TaskShape(pod.cpuMilli(), pod.memoryMib(), 1000, whole, pod.allowedModels()));
        }
        return switch (pod.containers().getFirst().demand()) {
            case GpuDemand.WholeGpus w -> Optional.of(new TaskShape(pod.cpuMilli(), pod.memoryMib(), 1000, w.count(), pod.allowedModels()));
            case GpuDemand.GpuFraction f -> Optional.of(new TaskShape(pod.cpuMilli(), pod.memoryMib(), f.milli(), 1, pod.allowedModels()));
            case GpuDemand.SharedReplicas r -> Optional.empty();
            case GpuDemand.MigDevices m -> Optional.empty();
        };
    }

    /** The same shape with host memory left out (0): the paper's task shapes are CPU and GPU only. */
    public TaskShape withoutMemory() {
        return memoryMib == 0 ? this : new TaskShape(cpuMilli, 0, gpuMilli, gpuCount, models);
    }

    public boolean acceptsModel(String model) {
        return models.isEmpty() || models.contains(model);
    }
}
