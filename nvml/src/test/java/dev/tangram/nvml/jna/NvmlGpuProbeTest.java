package dev.tangram.nvml.jna;

import com.sun.jna.Structure;
import dev.tangram.core.model.Gpu;
import dev.tangram.core.model.MigDevice;
import dev.tangram.core.model.NodeInventory;
import dev.tangram.core.probe.GpuEvent;
import dev.tangram.core.probe.ProbeException;
import dev.tangram.nvml.ExampleNodes;
import dev.tangram.nvml.cli.InventoryCommand;
import dev.tangram.nvml.sim.NodeSpecReader;
import dev.tangram.nvml.sim.SimulatedGpuProbe;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The JNA binding run against the fake NVML C library, compared with the simulated probe fed the same node. */
class NvmlGpuProbeTest {
    @TempDir
    Path dir;

    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
        FakeNvml.control().fakeNvmlSetInitResult(0);
    }

    static List<Path> examples() {
        return ExampleNodes.all();
    }

    private SimulatedGpuProbe simulated(Path file) {
        SimulatedGpuProbe sim = SimulatedGpuProbe.open(file);
        open.add(sim);
        return sim;
    }

    /** Loads what {@code sim} sees into the fake and opens the JNA probe on it. */
    private NvmlGpuProbe nvmlLike(SimulatedGpuProbe sim) {
        FakeNvml.load(FakeNvmlDescription.of(sim), dir);
        NvmlGpuProbe probe = NvmlGpuProbe.open(sim.spec().nodeName(), FakeNvml.library().toString());
        open.add(probe);
        return probe;
    }

    @Test
    void structLayoutsMatchNvmlHeaderSizes() {
        for (Map.Entry<Class<? extends Structure>, Integer> e : NvmlStructs.SIZES.entrySet()) {
            Structure s = Structure.newInstance(e.getKey());
            assertThat(s.size()).as(e.getKey().getSimpleName()).isEqualTo(e.getValue());
        }
    }

    @ParameterizedTest
    @MethodSource("examples")
    void jnaProbeAndSimulatedProbeAgreeOnEveryExampleNode(Path file) {
        SimulatedGpuProbe sim = simulated(file);
        NvmlGpuProbe nvml = nvmlLike(sim);
        NodeInventory expected = sim.inventory();
        assertThat(nvml.inventory()).isEqualTo(expected);
        for (Gpu g : expected.gpus()) {
            assertThat(nvml.metrics(g.uuid())).as("metrics of GPU %d", g.index()).isEqualTo(sim.metrics(g.uuid()));
        }
    }

    @Test
    void deliversAnXidInjectedIntoTheLibraryThroughTheEventSet() {
        SimulatedGpuProbe sim = simulated(ExampleNodes.path(ExampleNodes.DGX_H100));
        NvmlGpuProbe nvml = nvmlLike(sim);
        String gpu2 = sim.inventory().gpus().get(2).uuid();
        assertThat(nvml.awaitEvent(Duration.ofMillis(20))).isEmpty();

        FakeNvml.control().fakeNvmlInjectXid(2, 48);
        sim.injectXid(gpu2, 48);
        GpuEvent fromNvml = nvml.awaitEvent(Duration.ofSeconds(10)).orElseThrow();
        GpuEvent fromSim = sim.awaitEvent(Duration.ofSeconds(10)).orElseThrow();
        assertThat(fromNvml.kind()).isEqualTo(GpuEvent.Kind.XID).isEqualTo(fromSim.kind());
        assertThat(fromNvml.xid()).isEqualTo(48);
        assertThat(fromNvml.gpuUuid()).isEqualTo(gpu2);
        assertThat(nvml.inventory()).isEqualTo(sim.inventory());

        FakeNvml.control().fakeNvmlInjectXid(6, 79);
        GpuEvent offTheBus = nvml.awaitEvent(Duration.ofSeconds(10)).orElseThrow();
        assertThat(offTheBus.kind()).isEqualTo(GpuEvent.Kind.GPU_LOST);
        assertThat(offTheBus.xid()).isEqualTo(79);
        assertThat(offTheBus.gpuUuid()).isEqualTo(sim.inventory().gpus().get(6).uuid());
    }

    @Test
    void showsAGpuLostAtRunTimeAsAnUnhealthyRowLikeTheSimulatedProbe() {
        SimulatedGpuProbe sim = simulated(ExampleNodes.path(ExampleNodes.A100_MIG));
        NvmlGpuProbe nvml = nvmlLike(sim);
        String gpu1 = sim.inventory().gpus().get(1).uuid();

        FakeNvml.control().fakeNvmlSetLost(1, 1);
        sim.injectGpuLost(gpu1);
        GpuEvent event = nvml.awaitEvent(Duration.ofSeconds(10)).orElseThrow();
        assertThat(event.kind()).isEqualTo(GpuEvent.Kind.GPU_LOST);
        assertThat(event.gpuUuid()).isEqualTo(gpu1);
        NodeInventory inv = nvml.inventory();
        assertThat(inv.gpus()).hasSize(8);
        assertThat(inv.gpus().get(1).health()).isEqualTo(NvmlGpuProbe.LOST);
        assertThat(inv.gpus().get(1).migDevices()).hasSize(7);
        assertThat(inv).isEqualTo(sim.inventory());
        assertThatThrownBy(() -> nvml.metrics(gpu1)).isInstanceOf(ProbeException.class)
                .extracting(e -> ((ProbeException) e).kind()).isEqualTo(ProbeException.Kind.GPU_LOST);
    }

    @Test
    void listsAGpuLostBeforeOpenAsAnUnhealthyRow() {
        String text = "node: n\ndriver: '550.54.15'\ncuda: '12.4'\n"
                + "defaults: {product: NVIDIA L4, architecture: ada-lovelace, computeCapability: '8.9', memoryMib: 23034}\n"
                + "gpus:\n  - {index: 0, numa: 0}\n  - {index: 1, numa: 0, lost: true}\n";
        SimulatedGpuProbe sim = SimulatedGpuProbe.of(NodeSpecReader.parse(text, "lost.yaml"));
        open.add(sim);
        NvmlGpuProbe nvml = nvmlLike(sim);
        NodeInventory inv = nvml.inventory();
        assertThat(inv.gpus()).hasSize(2);
        assertThat(inv.gpus().get(0)).isEqualTo(sim.inventory().gpus().get(0));
        Gpu lost = inv.gpus().get(1);
        assertThat(lost.health()).isEqualTo(NvmlGpuProbe.LOST);
        assertThat(lost.uuid()).isEqualTo(sim.inventory().gpus().get(1).uuid());
        assertThat(lost.product()).isEqualTo("NVIDIA L4");
        assertThat(lost.pciBusId()).isEqualTo("0000:02:00.0");
    }

    @Test
    void readsTheNumaNodeFromNvmlsMemoryAffinityAndMinusOneWhereItHasNone() {
        String text = "node: n\ndriver: '550.54.15'\ncuda: '12.4'\n"
                + "defaults: {product: NVIDIA L4, architecture: ada-lovelace, computeCapability: '8.9', memoryMib: 23034}\n"
                + "gpus:\n  - {index: 0, numa: 0}\n  - {index: 1, numa: 1}\n  - {index: 2, numa: 63}\n  - {index: 3}\n";
        SimulatedGpuProbe sim = SimulatedGpuProbe.of(NodeSpecReader.parse(text, "numa.yaml"));
        open.add(sim);
        NodeInventory inv = nvmlLike(sim).inventory();
        assertThat(inv.gpus()).extracting(Gpu::numaNode).containsExactly(0, 1, 63, -1);
        assertThat(inv).isEqualTo(sim.inventory());
    }

    @Test
    void carvesAndDestroysMigDevicesThroughNvmlLikeTheSimulatedProbe() {
        SimulatedGpuProbe sim = simulated(ExampleNodes.path(ExampleNodes.A100_MIG));
        NvmlGpuProbe nvml = nvmlLike(sim);
        String gpu3 = sim.inventory().gpus().get(3).uuid();

        MigDevice viaNvml = nvml.createMigDevice(gpu3, "4g.40gb", 0);
        MigDevice viaSim = sim.createMigDevice(gpu3, "4g.40gb", 0);
        assertThat(viaNvml.uuid()).startsWith("MIG-");
        assertThat(viaNvml).usingRecursiveComparison().ignoringFields("uuid").isEqualTo(viaSim);
        MigDevice small = nvml.createMigDevice(gpu3, "1g.10gb", 6);
        assertThat(small.gpuInstanceId()).isEqualTo(2);
        assertThat(small.placementStart()).isEqualTo(6);
        assertThat(nvml.inventory().gpu(gpu3).orElseThrow().migDevices()).containsExactly(viaNvml, small);

        assertThatThrownBy(() -> nvml.createMigDevice(gpu3, "2g.20gb", 2)).isInstanceOf(ProbeException.class)
                .extracting(e -> ((ProbeException) e).kind()).isEqualTo(ProbeException.Kind.INSUFFICIENT_RESOURCES);
        assertThatThrownBy(() -> nvml.createMigDevice(gpu3, "3g.40gb", 2))
                .extracting(e -> ((ProbeException) e).kind()).isEqualTo(ProbeException.Kind.INVALID_ARGUMENT);
        assertThatThrownBy(() -> nvml.createMigDevice(sim.inventory().gpus().get(5).uuid(), "1g.10gb", 0))
                .extracting(e -> ((ProbeException) e).kind()).isEqualTo(ProbeException.Kind.NOT_SUPPORTED);

        nvml.destroyMigDevice(viaNvml.uuid());
        assertThat(nvml.inventory().gpu(gpu3).orElseThrow().migDevices()).containsExactly(small);
        assertThatThrownBy(() -> nvml.destroyMigDevice(viaNvml.uuid()))
                .extracting(e -> ((ProbeException) e).kind()).isEqualTo(ProbeException.Kind.NOT_FOUND);
    }

    @Test
    void saysLibraryNotFoundWhenThereIsNoNvml() {
        assertThatThrownBy(() -> NvmlGpuProbe.open("n", dir.resolve("libnvidia-ml.so.1").toString()))
                .isInstanceOf(ProbeException.class)
                .extracting(e -> ((ProbeException) e).kind()).isEqualTo(ProbeException.Kind.LIBRARY_NOT_FOUND);
    }

    @Test
    void saysDriverNotLoadedWhenInitFindsNoDriver() {
        FakeNvml.load("driver 1\ncuda 12040\n", dir);
        FakeNvml.control().fakeNvmlSetInitResult(NvmlLibrary.NVML_ERROR_DRIVER_NOT_LOADED);
        assertThatThrownBy(() -> NvmlGpuProbe.open("n", FakeNvml.library().toString()))
                .isInstanceOf(ProbeException.class)
                .hasMessageContaining("NVML_ERROR_DRIVER_NOT_LOADED")
                .extracting(e -> ((ProbeException) e).kind()).isEqualTo(ProbeException.Kind.DRIVER_NOT_LOADED);
    }

    @Test
    void inventoryCommandPrintsTheSameTablesFromNvmlAsFromTheNodeDescription() {
        Path file = ExampleNodes.path(ExampleNodes.A100_PCIE_4);
        SimulatedGpuProbe sim = simulated(file);
        FakeNvml.load(FakeNvmlDescription.of(sim), dir);
        String fromSpec = command("--node-spec", file.toString());
        System.setProperty(NvmlGpuProbe.LIBRARY_PROPERTY, FakeNvml.library().toString());
        String fromNvml;
        try {
            fromNvml = command("--node-name", sim.spec().nodeName());
        } finally {
            System.clearProperty(NvmlGpuProbe.LIBRARY_PROPERTY);
        }
        assertThat(body(fromNvml)).isEqualTo(body(fromSpec)).contains("GPU0  X     NV12  SYS   SYS   0");
    }

    private static String command(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = InventoryCommand.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        assertThat(code).as(err.toString()).isZero();
        return out.toString();
    }

    /** The output without its first line (which names the source). */
    private static String body(String output) {
        return output.substring(output.indexOf('\n') + 1);
    }
}
