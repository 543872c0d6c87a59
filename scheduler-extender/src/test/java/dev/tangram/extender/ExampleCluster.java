package dev.tangram.extender;

import dev.tangram.core.model.Gpu;
import dev.tangram.core.model.GpuSharing;
import dev.tangram.core.model.NodeInventory;
import dev.tangram.nvml.sim.SimulatedGpuProbe;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The nodes described in {@code examples/nodes/*.yaml}, read by the simulated probe as a node agent would: the L4 node's
 * GPUs shared as 4 time-sliced replicas (a device plugin setting), and GPU 7 of the DGX H100 lost.
 */
public final class ExampleCluster {
    public static final String DGX = "dgx-h100-01";
    public static final String L4 = "l4-inference-01";
    public static final String A100_MIG = "a100-mig-01";
    public static final int SHARED_REPLICAS = 4;

    private ExampleCluster() {
    }

    /** {@code examples/nodes}, found from the working directory up. */
    public static Path examplesDir() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("examples/nodes");
            if (Files.isDirectory(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("examples/nodes not found above " + Path.of("").toAbsolutePath());
    }

    public static List<NodeInventory> inventories() {
        try (Stream<Path> files = Files.list(examplesDir())) {
            return files.filter(p -> p.toString().endsWith(".yaml")).sorted().map(ExampleCluster::read).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static NodeInventory read(Path file) {
        try (SimulatedGpuProbe probe = SimulatedGpuProbe.open(file)) {
            NodeInventory inv = probe.inventory();
            if (inv.nodeName().equals(DGX)) {
                probe.injectGpuLost(inv.gpus().getLast().uuid());
                inv = probe.inventory();
            }
            if (inv.nodeName().equals(L4)) {
                inv = inv.withGpus(inv.gpus().stream().map(ExampleCluster::shared).toList());
            }
            return inv;
        }
    }

    private static Gpu shared(Gpu g) {
        return g.withSharing(Optional.of(GpuSharing.of(SHARED_REPLICAS, GpuSharing.TIME_SLICING, g.memoryMib())));
    }
}
