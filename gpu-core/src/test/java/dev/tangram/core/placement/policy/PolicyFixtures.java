package dev.tangram.core.placement.policy;

import dev.tangram.core.model.LinkMatrix;
import dev.tangram.core.names.TangramNames;
import dev.tangram.core.placement.ContainerDemand;
import dev.tangram.core.placement.GpuDemand;
import dev.tangram.core.placement.GpuView;
import dev.tangram.core.placement.NodeView;
import dev.tangram.core.placement.PodDemand;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Small trace-like nodes and pods: GPUs with a given free capacity, pods asking for a fraction, whole GPUs or none. */
final class PolicyFixtures {
    private PolicyFixtures() {
    }

    static NodeView node(String name, long cpuFree, int... freeMilli) {
        return node(name, "T4", cpuFree, freeMilli);
    }

    static NodeView node(String name, String model, long cpuFree, int... freeMilli) {
        List<GpuView> gpus = new ArrayList<>();
        for (int i = 0; i < freeMilli.length; i++) {
            gpus.add(new GpuView(i, name + "-gpu" + i, model, 16384, -1, true, freeMilli[i], 1, List.of(), false, List.of(), 0));
        }
        return new NodeView(name, Math.max(64_000, cpuFree), cpuFree, 262_144, 262_144, gpus, LinkMatrix.empty());
    }

    static PodDemand fraction(long cpu, int milli) {
        return new PodDemand("p", cpu, 0, List.of(new ContainerDemand("c", TangramNames.RESOURCE_GPU, new GpuDemand.GpuFraction(milli))), Set.of());
    }

    static PodDemand whole(long cpu, int count) {
        return new PodDemand("p", cpu, 0, List.of(new ContainerDemand("c", TangramNames.RESOURCE_GPU, new GpuDemand.WholeGpus(count))), Set.of());
    }

    static PodDemand cpuOnly(long cpu) {
        return new PodDemand("p", cpu, 0, List.of(), Set.of());
    }
}
