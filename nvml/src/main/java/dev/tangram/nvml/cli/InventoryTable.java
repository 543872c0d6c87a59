package dev.tangram.nvml.cli;

import dev.tangram.core.model.Gpu;
import dev.tangram.core.model.MigDevice;
import dev.tangram.core.model.NodeInventory;

import java.util.ArrayList;
import java.util.List;

/**
 * Renders a node inventory as text: a GPU table, a MIG device table and the link matrix laid out like
 * {@code nvidia-smi topo -m} (X, NV&lt;n&gt;, PIX, PXB, PHB, NODE, SYS) with a NUMA affinity column.
 */
public final class InventoryTable {
    private InventoryTable() {
    }

    public static String render(NodeInventory inv, String source) {
        StringBuilder out = new StringBuilder();
        out.append("Node ").append(inv.nodeName()).append("   driver ").append(inv.driverVersion()).append("   CUDA ")
                .append(inv.cudaDriverVersion()).append("   from ").append(source).append("\n\n");
        List<List<String>> gpus = new ArrayList<>();
        gpus.add(List.of("IDX", "UUID", "PRODUCT", "MEMORY", "NUMA", "HEALTH", "MIG"));
        for (Gpu g : inv.gpus()) {
            gpus.add(List.of(String.valueOf(g.index()), g.uuid(), g.product(), g.memoryMib() + " MiB",
                    g.numaNode() < 0 ? "N/A" : String.valueOf(g.numaNode()),
                    g.health().healthy() ? "healthy" : "UNHEALTHY (" + g.health().reason() + ")",
                    !g.migCapable() ? "N/A" : g.migEnabled() ? "on" : "off"));
        }
        out.append("GPUs\n").append(columns(gpus)).append('\n');
        List<List<String>> mig = new ArrayList<>();
        mig.add(List.of("GPU", "GI", "CI", "PROFILE", "SLOTS", "MEMORY", "UUID"));
        for (Gpu g : inv.gpus()) {
            for (MigDevice m : g.migDevices()) {
                mig.add(List.of(String.valueOf(g.index()), String.valueOf(m.gpuInstanceId()), String.valueOf(m.computeInstanceId()),
                        m.profile(), m.placementStart() + "-" + (m.placementStart() + m.placementSize() - 1), m.memoryMib() + " MiB",
                        m.uuid()));
            }
        }
        out.append("MIG devices\n").append(mig.size() == 1 ? "(none)\n" : columns(mig)).append('\n');
        out.append("Links\n").append(matrix(inv)).append('\n');
        out.append("""
                Legend:
                  X    the GPU itself
                  NV#  # NVLinks between the two GPUs (directly or through NVSwitch)
                  SB   both GPUs sit on one board
                  PIX  one PCIe switch apart
                  PXB  several PCIe switches apart, no host bridge in between
                  PHB  through the PCIe host bridge of one CPU
                  NODE through several host bridges of one NUMA node
                  SYS  across the CPU interconnect, between NUMA nodes
                """);
        return out.toString();
    }

    private static String matrix(NodeInventory inv) {
        List<List<String>> rows = new ArrayList<>();
        List<String> header = new ArrayList<>();
        header.add("");
        for (Gpu g : inv.gpus()) {
            header.add("GPU" + g.index());
        }
        header.add("NUMA Affinity");
        rows.add(header);
        for (int i = 0; i < inv.gpus().size(); i++) {
            List<String> row = new ArrayList<>();
            row.add("GPU" + inv.gpus().get(i).index());
            for (int j = 0; j < inv.gpus().size(); j++) {
                row.add(i == j ? "X" : inv.links().link(i, j).smiName());
            }
            int numa = inv.gpus().get(i).numaNode();
            row.add(numa < 0 ? "N/A" : String.valueOf(numa));
            rows.add(row);
        }
        return columns(rows);
    }

    /** Left-aligned columns, two spaces apart, no trailing blanks. */
    static String columns(List<List<String>> rows) {
        int width = rows.stream().mapToInt(List::size).max().orElse(0);
        int[] widths = new int[width];
        for (List<String> r : rows) {
            for (int c = 0; c < r.size(); c++) {
                widths[c] = Math.max(widths[c], r.get(c).length());
            }
        }
        StringBuilder sb = new StringBuilder();
        for (List<String> r : rows) {
            StringBuilder line = new StringBuilder();
            for (int c = 0; c < r.size(); c++) {
                line.append(c + 1 < r.size() ? String.format("%-" + (widths[c] + 2) + "s", r.get(c)) : r.get(c));
            }
            sb.append(line.toString().stripTrailing()).append('\n');
        }
        return sb.toString();
    }
}
