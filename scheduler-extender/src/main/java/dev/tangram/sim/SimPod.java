package dev.tangram.sim;

import dev.tangram.core.placement.PodDemand;

import java.util.Objects;

/**
 * A pod to place: its demand and the GPU capacity it counts for when it arrives (thousandths of a GPU; MIG devices by
 * their memory slices, replicas by their share of a GPU).
 */
public record SimPod(String name, PodDemand demand, long gpuMilli) {
    public SimPod {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(demand, "demand");
        if (gpuMilli < 0) {
            throw new IllegalArgumentException("pod " + name + ": GPU demand must not be negative");
        }
    }

    public SimPod renamed(String newName) {
        return new SimPod(newName, new PodDemand(newName, demand.cpuMilli(), demand.memoryMib(), demand.containers(),
                demand.allowedModels()), gpuMilli);
    }

    public boolean needsGpu() {
        return demand.needsGpu();
    }
}
