package dev.tangram.nvml.cli;

import dev.tangram.core.inventory.InventoryCodec;
import dev.tangram.core.model.NodeInventory;
import dev.tangram.nvml.ExampleNodes;
import dev.tangram.nvml.sim.NodeSpecReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class InventoryCommandTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        return InventoryCommand.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
    }

    /** The link matrix rows, each split into cells: GPU name, one cell per GPU, NUMA affinity. */
    private List<List<String>> matrixRows() {
        String text = out.toString();
        String links = text.substring(text.indexOf("Links\n") + 6, text.indexOf("\n\n", text.indexOf("Links\n")));
        return links.lines().skip(1).map(l -> Arrays.asList(l.trim().split("\\s+"))).toList();
    }

    @Test
    void showsNvlinkOnlyBetweenZeroOneAndTwoThreeAndTheNumaSplitOfThePcieNode() {
        assertThat(run("--node-spec", ExampleNodes.path(ExampleNodes.A100_PCIE_4).toString())).isZero();
        assertThat(matrixRows()).containsExactly(
                List.of("GPU0", "X", "NV12", "SYS", "SYS", "0"),
                List.of("GPU1", "NV12", "X", "SYS", "SYS", "0"),
                List.of("GPU2", "SYS", "SYS", "X", "NV12", "1"),
                List.of("GPU3", "SYS", "SYS", "NV12", "X", "1"));
        assertThat(out.toString()).contains("NVIDIA A100-PCIE-40GB", "40960 MiB", "MIG devices\n(none)").doesNotContain("UNHEALTHY");
        assertThat(err.toString()).isEmpty();
    }

    @Test
    void listsMigDevicesWithTheirSlots() {
        assertThat(run("--node-spec", ExampleNodes.path(ExampleNodes.A100_MIG).toString())).isZero();
        NodeInventory inv = NodeSpecReader.read(ExampleNodes.path(ExampleNodes.A100_MIG)).inventory();
        String first = inv.gpus().getFirst().migDevices().getFirst().uuid();
        assertThat(out.toString()).containsPattern("0\\s+1\\s+0\\s+3g\\.40gb\\s+0-3\\s+40960 MiB\\s+" + first);
        assertThat(out.toString().lines().filter(l -> l.contains("1g.10gb"))).hasSize(8);
        assertThat(matrixRows().get(7)).containsExactly("GPU7", "NV12", "NV12", "NV12", "NV12", "NV12", "NV12", "NV12", "X", "1");
    }

    @Test
    void printsTheInventoryAnnotationWithJson() {
        Path file = ExampleNodes.path(ExampleNodes.DGX_H100);
        assertThat(run("--node-spec", file.toString(), "--json")).isZero();
        assertThat(InventoryCodec.read(out.toString().trim())).isEqualTo(NodeSpecReader.read(file).inventory());
    }

    @Test
    void stopsWithFileLineAndFieldOnABadDescription(@TempDir Path dir) throws IOException {
        Path bad = dir.resolve("bad.yaml");
        Files.writeString(bad, "node: n\ndriver: '1'\ncuda: 12\ngpus: []\n");
        assertThat(run("--node-spec", bad.toString())).isEqualTo(InventoryCommand.BAD_INPUT);
        assertThat(err.toString()).contains(bad + ":3: cuda: must look like MAJOR.MINOR");
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void saysLibraryNotFoundWhenNvmlIsMissing() {
        String before = System.getProperty("tangram.nvml.library");
        System.setProperty("tangram.nvml.library", "/nonexistent/libnvidia-ml.so.1");
        try {
            assertThat(run("--node-name", "n")).isEqualTo(InventoryCommand.PROBE_FAILED);
            assertThat(err.toString()).startsWith("tangram inventory: LIBRARY_NOT_FOUND: cannot load NVML from '/nonexistent/libnvidia-ml.so.1'");
        } finally {
            if (before == null) {
                System.clearProperty("tangram.nvml.library");
            } else {
                System.setProperty("tangram.nvml.library", before);
            }
        }
    }
}
