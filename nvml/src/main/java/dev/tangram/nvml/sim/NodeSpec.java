package dev.tangram.nvml.sim;

import dev.tangram.core.model.Gpu;
import dev.tangram.core.model.Health;
import dev.tangram.core.model.LinkMatrix;
import dev.tangram.core.model.MigDevice;
import dev.tangram.core.model.NodeInventory;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A validated node description: what a simulated node has (see {@code docs/node-spec.md} for the YAML).
 *
 * @param source          where it came from (a file name), for messages
 * @param nodeName        the Kubernetes node name; seeds every UUID
 * @param driverVersion   the NVIDIA driver version to report
 * @param cudaVersion     the CUDA driver version to report, {@code MAJOR.MINOR}
 * @param gpus            GPUs in index order, indices 0..n-1
 * @param links           the GPU-to-GPU link matrix
 * @param nvswitchLinks   NVLinks each GPU has into an NVSwitch fabric (0: NVLinks, if any, are direct bridges)
 */
public record NodeSpec(String source, String nodeName, String driverVersion, String cudaVersion, List<GpuSpec> gpus,
                       LinkMatrix links, int nvswitchLinks) {
    /** Health of a lost GPU, in the simulated and the NVML probe alike. */
    public static final Health LOST = Health.unhealthy("GPU lost");

    public NodeSpec {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(nodeName, "nodeName");
        Objects.requireNonNull(driverVersion, "driverVersion");
        Objects.requireNonNull(cudaVersion, "cudaVersion");
        Objects.requireNonNull(links, "links");
        gpus = List.copyOf(gpus);
    }

    /** The node as the description starts it: UUIDs from the node name, lost GPUs unhealthy, MIG devices carved. */
    public NodeInventory inventory() {
        List<Gpu> list = gpus.stream().map(this::gpu).toList();
        return new NodeInventory(nodeName, driverVersion, cudaVersion, list, links);
    }

    private Gpu gpu(GpuSpec g) {
        String uuid = SimulatedUuids.gpu(nodeName, g.index());
        List<MigDevice> mig = g.mig().stream()
                .map(m -> new MigDevice(SimulatedUuids.mig(nodeName, g.index(), m.gpuInstanceId(), 0), uuid, m.gpuInstanceId(), 0,
                        m.profile(), m.start(), m.size(), m.memoryMib()))
                .sorted(java.util.Comparator.comparingInt(MigDevice::gpuInstanceId)) // NVML's probe lists them so too
                .toList();
        return new Gpu(uuid, g.index(), g.minor(), g.product(), g.architecture(), g.computeCapability(), g.memoryMib(),
                g.pciBusId(), g.numaNode(), g.lost() ? LOST : Health.HEALTHY, g.migCapable(), g.migEnabled(), mig, Optional.empty());
    }
}
