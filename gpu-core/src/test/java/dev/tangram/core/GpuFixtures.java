package dev.tangram.core;

import dev.tangram.core.model.ComputeCapability;
import dev.tangram.core.model.Gpu;
import dev.tangram.core.model.GpuSharing;
import dev.tangram.core.model.Health;
import dev.tangram.core.model.Link;
import dev.tangram.core.model.LinkMatrix;
import dev.tangram.core.model.MigDevice;
import dev.tangram.core.model.NodeInventory;
import dev.tangram.core.model.PcieRelation;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** A fixture vocabulary for tests in every module (shipped in gpu-core's test-jar). */
public final class GpuFixtures {
    private GpuFixtures() {
    }

    public static String gpuUuid(int index) {
        return String.format("GPU-00000000-0000-4000-8000-%012d", index);
    }

    public static String migUuid(int gpu, int gi) {
        return String.format("MIG-00000000-0000-4000-8000-%06d%06d", gpu, gi);
    }

    public static Gpu fullGpu(int index, String product, long memoryMib, int numa) {
        return new Gpu(gpuUuid(index), index, index, product, "hopper", new ComputeCapability(9, 0), memoryMib,
                String.format("0000:%02x:00.0", 0x18 + index), numa, Health.HEALTHY, product.contains("H100"), false, List.of(),
                Optional.empty());
    }

    public static Gpu h100(int index, int numa) {
        return fullGpu(index, "NVIDIA H100 80GB HBM3", 81559, numa);
    }

    public static MigDevice migDevice(int gpu, int gi, String profile, int start, int size, long memoryMib) {
        return new MigDevice(migUuid(gpu, gi), gpuUuid(gpu), gi, 0, profile, start, size, memoryMib);
    }

    public static Gpu sharedGpu(Gpu gpu, int replicas) {
        return gpu.withSharing(Optional.of(GpuSharing.of(replicas, GpuSharing.TIME_SLICING, gpu.memoryMib())));
    }

    /** An NVSwitch node: every pair NV18, GPUs 0-3 on NUMA 0 and 4-7 on NUMA 1. */
    public static NodeInventory dgxH100(String node) {
        List<Gpu> gpus = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            gpus.add(h100(i, i < 4 ? 0 : 1));
        }
        LinkMatrix links = LinkMatrix.of(8, (i, j) -> new Link(18, (i < 4) == (j < 4) ? PcieRelation.SAME_NUMA : PcieRelation.CROSS_CPU));
        return new NodeInventory(node, "550.54.15", "12.4", gpus, links);
    }

    /** Four PCIe GPUs, NVLink bridges in pairs 0-1 and 2-3, 0-1 on NUMA 0 and 2-3 on NUMA 1. */
    public static NodeInventory pcieWithPairs(String node) {
        List<Gpu> gpus = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            gpus.add(fullGpu(i, "NVIDIA A100-PCIE-40GB", 40960, i < 2 ? 0 : 1));
        }
        LinkMatrix links = LinkMatrix.of(4, (i, j) -> (i / 2 == j / 2) ? new Link(4, PcieRelation.HOST_BRIDGE)
                : new Link(0, PcieRelation.CROSS_CPU));
        return new NodeInventory(node, "550.54.15", "12.4", gpus, links);
    }
}
