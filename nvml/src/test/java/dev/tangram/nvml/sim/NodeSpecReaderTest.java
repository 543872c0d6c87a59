package dev.tangram.nvml.sim;

import dev.tangram.core.inventory.InventoryCodec;
import dev.tangram.core.model.Gpu;
import dev.tangram.core.model.NodeInventory;
import dev.tangram.core.model.PcieRelation;
import dev.tangram.nvml.ExampleNodes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NodeSpecReaderTest {
    static List<Path> examples() {
        return ExampleNodes.all();
    }

    @Test
    void shipsTheFiveExampleNodes() {
        assertThat(examples()).extracting(p -> p.getFileName().toString())
                .contains(ExampleNodes.DGX_H100, ExampleNodes.A100_PCIE_4, ExampleNodes.A100_MIG, ExampleNodes.L4_2, ExampleNodes.H200_MIG);
    }

    @ParameterizedTest
    @MethodSource("examples")
    void everyExampleNodeRoundTripsThroughTheInventoryAnnotation(Path file) {
        NodeInventory inv = NodeSpecReader.read(file).inventory();
        assertThat(InventoryCodec.read(InventoryCodec.write(inv))).isEqualTo(inv);
    }

    @Test
    void readsTheNvswitchNodeAsEveryPairNv18SplitOverTwoNumaNodes() {
        NodeInventory inv = NodeSpecReader.read(ExampleNodes.path(ExampleNodes.DGX_H100)).inventory();
        assertThat(inv.gpus()).hasSize(8).allMatch(g -> g.product().equals("NVIDIA H100 80GB HBM3") && g.memoryMib() == 81559);
        assertThat(inv.gpus()).extracting(Gpu::numaNode).containsExactly(0, 0, 0, 0, 1, 1, 1, 1);
        for (int i = 0; i < 8; i++) {
            for (int j = 0; j < 8; j++) {
                if (i != j) {
                    assertThat(inv.links().link(i, j).smiName()).isEqualTo("NV18");
                    assertThat(inv.links().link(i, j).pcie()).isEqualTo((i < 4) == (j < 4) ? PcieRelation.SAME_NUMA : PcieRelation.CROSS_CPU);
                }
            }
        }
    }

    @Test
    void readsThePcieNodeWithNvlinkOnlyInPairsZeroOneAndTwoThree() {
        NodeInventory inv = NodeSpecReader.read(ExampleNodes.path(ExampleNodes.A100_PCIE_4)).inventory();
        assertThat(inv.gpus()).extracting(Gpu::numaNode).containsExactly(0, 0, 1, 1);
        assertThat(inv.links().link(0, 1).smiName()).isEqualTo("NV12");
        assertThat(inv.links().link(2, 3).smiName()).isEqualTo("NV12");
        assertThat(inv.links().link(0, 2).smiName()).isEqualTo("SYS");
        assertThat(inv.links().link(1, 3).smiName()).isEqualTo("SYS");
        assertThat(inv.links().link(1, 2).nvlinks()).isZero();
        assertThat(inv.gpus()).allMatch(g -> g.migCapable() && !g.migEnabled());
    }

    @Test
    void readsTheMigNodeWithMixedProfilesOnSomeGpusAndWholeGpusOnOthers() {
        NodeInventory inv = NodeSpecReader.read(ExampleNodes.path(ExampleNodes.A100_MIG)).inventory();
        assertThat(inv.gpus().get(0).migDevices()).extracting(m -> m.profile() + "@" + m.placementStart() + "#" + m.gpuInstanceId())
                .containsExactly("3g.40gb@0#1", "2g.20gb@4#2", "1g.10gb@6#3");
        assertThat(inv.gpus().get(1).migDevices()).hasSize(7).allMatch(m -> m.memoryMib() == 10240);
        assertThat(inv.gpus().get(3).migEnabled()).isTrue();
        assertThat(inv.gpus().get(3).migDevices()).isEmpty();
        assertThat(inv.gpus().subList(4, 8)).allMatch(g -> g.migCapable() && !g.migEnabled());
        assertThat(inv.migDevices()).allMatch(m -> m.uuid().startsWith("MIG-"));
    }

    @Test
    void readsTheL4NodeWithoutNvlinkOrMig() {
        NodeInventory inv = NodeSpecReader.read(ExampleNodes.path(ExampleNodes.L4_2)).inventory();
        assertThat(inv.gpus()).hasSize(2).noneMatch(Gpu::migCapable);
        assertThat(inv.links().link(0, 1).nvlinks()).isZero();
        assertThat(inv.links().link(0, 1).smiName()).isEqualTo("NODE");
    }

    @Test
    void seedsUuidsFromTheNodeName() {
        String text = "node: n1\ndriver: '1'\ncuda: '12.4'\ndefaults: {product: NVIDIA L4, architecture: ada-lovelace, computeCapability: '8.9', memoryMib: 23034}\n"
                + "gpus:\n  - {index: 0}\n  - {index: 1}\n";
        NodeInventory a = NodeSpecReader.parse(text, "a").inventory();
        NodeInventory again = NodeSpecReader.parse(text, "b").inventory();
        NodeInventory other = NodeSpecReader.parse(text.replace("node: n1", "node: n2"), "c").inventory();
        assertThat(again).isEqualTo(a);
        assertThat(a.gpus().get(0).uuid()).isEqualTo(SimulatedUuids.gpu("n1", 0)).matches("GPU-[0-9a-f]{8}-[0-9a-f]{4}-3[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}");
        assertThat(a.gpus().get(0).uuid()).isNotEqualTo(a.gpus().get(1).uuid()).isNotEqualTo(other.gpus().get(0).uuid());
        assertThat(a.gpus().get(1).pciBusId()).isEqualTo("0000:02:00.0");
        assertThat(a.gpus().get(1).minor()).isEqualTo(1);
        assertThat(a.gpus().get(1).numaNode()).isEqualTo(-1);
    }

    private static final String HEAD = "node: bad\ndriver: '550.54.15'\ncuda: '12.4'\n"
            + "defaults: {product: NVIDIA A100-SXM4-80GB, architecture: ampere, computeCapability: '8.0', memoryMib: 81920}\n";

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            not an integer index      | gpus:\\n  - {index: one}                                                     | 6 | gpus[0].index: must be an integer, got 'one'
            index beyond the GPUs     | gpus:\\n  - {index: 0}\\n  - {index: 2}                                      | 7 | gpus[1].index: must be between 0 and 1, got 2
            duplicate index           | gpus:\\n  - {index: 0}\\n  - {index: 0}                                      | 7 | gpus[1].index: GPU index 0 appears twice
            misspelt field            | gpus:\\n  - {index: 0, numaa: 1}                                             | 6 | gpus[0].numaa: unknown field
            bad bus id                | gpus:\\n  - {index: 0, pciBusId: '18:00.0'}                                  | 6 | gpus[0].pciBusId: must look like DDDD:BB:DD.F
            unknown MIG profile       | gpus:\\n  - index: 0\\n    mig:\\n      devices:\\n        - {profile: 2g.21gb, start: 0} | 9 | gpus[0].mig.devices[0].profile: unknown MIG profile '2g.21gb'
            illegal MIG start         | gpus:\\n  - index: 0\\n    mig:\\n      devices:\\n        - {profile: 3g.40gb, start: 2} | 9 | gpus[0].mig.devices[0].start: 3g.40gb cannot start at slot 2 (legal starts: [0, 4])
            overlapping MIG devices   | gpus:\\n  - index: 0\\n    mig:\\n      devices:\\n        - {profile: 4g.40gb, start: 0}\\n        - {profile: 2g.20gb, start: 2} | 10 | gpus[0].mig.devices[1].start: 2g.20gb at 2 overlaps 4g.40gb at 0 (line 9)
            unknown PCIe relation     | gpus:\\n  - {index: 0}\\n  - {index: 1}\\nlinks:\\n  pcie:\\n    pairs:\\n      - {gpus: [0, 1], relation: FAR} | 11 | links.pcie.pairs[0].relation: unknown PCIe relation 'FAR'
            too many direct NVLinks   | gpus:\\n  - {index: 0}\\n  - {index: 1}\\n  - {index: 2}\\nlinks:\\n  nvlink: {all: 12} | 10 | links.nvlink: GPU 0 would need 24 direct NVLinks
            self link                 | gpus:\\n  - {index: 0}\\n  - {index: 1}\\nlinks:\\n  nvlink:\\n    pairs:\\n      - {gpus: [1, 1], count: 2} | 11 | links.nvlink.pairs[0].gpus: a GPU has no link to itself
            bad metric                | gpus:\\n  - {index: 0, metrics: {utilization: 140}}                         | 6 | gpus[0].metrics.utilization: must be between 0 and 100, got 140
            missing product           | gpus:\\n  - {index: 0, product: ''}                                           | 6 | gpus[0].product: must not be empty
            """)
    void namesTheFileLineAndFieldOfAMalformedDescription(String what, String gpus, int line, String message) {
        String text = HEAD + gpus.replace("\\n", "\n") + "\n";
        assertThatThrownBy(() -> NodeSpecReader.parse(text, "nodes/bad.yaml"))
                .isInstanceOf(NodeSpecException.class)
                .hasMessageStartingWith("nodes/bad.yaml:" + line + ": ")
                .hasMessageContaining(message);
    }

    @Test
    void namesAMissingFieldAtTheLineOfItsMapping() {
        String text = "node: n\ndriver: '1'\n\ngpus:\n  - {index: 0}\n";
        assertThatThrownBy(() -> NodeSpecReader.parse(text, "f.yaml")).isInstanceOf(NodeSpecException.class)
                .hasMessage("f.yaml:1: cuda: is missing");
        String noProduct = "node: n\ndriver: '1'\ncuda: '12.4'\ngpus:\n  - {index: 0, architecture: ampere}\n";
        assertThatThrownBy(() -> NodeSpecReader.parse(noProduct, "f.yaml"))
                .hasMessage("f.yaml:5: gpus[0].product: is missing (give it on the GPU or under defaults)");
    }

    @Test
    void namesTheLineOfInvalidYaml() {
        assertThatThrownBy(() -> NodeSpecReader.parse("node: n\ngpus: [\n  - {index: 0\n", "y.yaml"))
                .isInstanceOf(NodeSpecException.class).hasMessageStartingWith("y.yaml:").hasMessageContaining("not valid YAML");
        assertThatThrownBy(() -> NodeSpecReader.parse("node: a\nnode: b\n", "d.yaml"))
                .hasMessage("d.yaml:2: node: appears twice");
    }

    @Test
    void refusesMigOnAGpuThatCannotDoIt() {
        String text = "node: n\ndriver: '1'\ncuda: '12.4'\ngpus:\n  - index: 0\n    product: NVIDIA L4\n    architecture: ada-lovelace\n"
                + "    computeCapability: '8.9'\n    memoryMib: 23034\n    mig: {enabled: true}\n";
        assertThatThrownBy(() -> NodeSpecReader.parse(text, "l4.yaml"))
                .hasMessageStartingWith("l4.yaml:10: gpus[0].mig: 'NVIDIA L4' cannot do MIG");
    }

    @Test
    void saysWhichFileIsMissing() {
        assertThatThrownBy(() -> NodeSpecReader.read(Path.of("no/such/node.yaml")))
                .isInstanceOf(NodeSpecException.class).hasMessage("no/such/node.yaml:0: no such file");
    }
}
