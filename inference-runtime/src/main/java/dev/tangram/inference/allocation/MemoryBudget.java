package dev.tangram.inference.allocation;

import dev.tangram.core.names.TangramNames;

import java.util.stream.Collectors;

/**
 * The memory the server may fill with weights, activations and KV cache, and where that figure came from.
 *
 * @param bytes  the budget
 * @param source a short human account: the variable, the devices, or the config field
 * @param gpu    whether it is a GPU allocation (rather than the CPU budget from config)
 */
public record MemoryBudget(long bytes, String source, boolean gpu) {
    private static final long MIB = 1024L * 1024;

    /**
     * The budget of an allocation: the shared replica's limit when set (bounded by the devices' memory when known),
     * else the memory of the devices given (bounded by what NVML says is free), else the CPU budget from config.
     */
    public static MemoryBudget of(PodAllocation a, long cpuBudgetMib) {
        long deviceMib = a.devices().stream().mapToLong(AllocatedDevice::memoryMib).sum();
        String devices = a.devices().stream().map(d -> d.uuid() + " (" + d.product() + ", " + d.memoryMib() + " MiB)")
                .collect(Collectors.joining(" + "));
        if (a.memoryLimitMib().isPresent()) {
            long limit = a.memoryLimitMib().getAsLong();
            if (deviceMib > 0 && deviceMib < limit) {
                return new MemoryBudget(deviceMib * MIB, devices + ", below " + TangramNames.ENV_GPU_MEMORY_LIMIT_MIB + "=" + limit, true);
            }
            return new MemoryBudget(limit * MIB, TangramNames.ENV_GPU_MEMORY_LIMIT_MIB + "=" + limit
                    + (devices.isEmpty() ? "" : " of " + devices), true);
        }
        if (deviceMib > 0) {
            long freeMib = a.devices().stream().mapToLong(d -> d.freeMib().orElse(d.memoryMib())).sum();
            if (freeMib < deviceMib) {
                return new MemoryBudget(freeMib * MIB, devices + ", " + freeMib + " MiB free per " + a.probe(), true);
            }
            return new MemoryBudget(deviceMib * MIB, devices, true);
        }
        String why = a.hasGpu() ? "devices " + String.join(",", a.unresolved()) + " unknown to probe " + a.probe() + "; " : "no GPU; ";
        return new MemoryBudget(cpuBudgetMib * MIB, why + "config memory.cpuBudgetMib=" + cpuBudgetMib, false);
    }
}
