package dev.tangram.core.model;

/**
 * How two GPUs reach each other over PCIe, closest first. The values follow NVML's topology levels
 * (nvmlGpuTopologyLevel_t) and the abbreviations of {@code nvidia-smi topo -m}.
 */
public enum PcieRelation {
    /** The same board (multi-GPU board); NVML_TOPOLOGY_INTERNAL. */
    SAME_BOARD(0, "SB"),
    /** At most one PCIe switch between them; NVML_TOPOLOGY_SINGLE. */
    SINGLE_SWITCH(10, "PIX"),
    /** Several PCIe switches, no host bridge; NVML_TOPOLOGY_MULTIPLE. */
    MULTIPLE_SWITCHES(20, "PXB"),
    /** Through one PCIe host bridge; NVML_TOPOLOGY_HOSTBRIDGE. */
    HOST_BRIDGE(30, "PHB"),
    /** Through host bridges within one NUMA node; NVML_TOPOLOGY_NODE. */
    SAME_NUMA(40, "NODE"),
    /** Across the CPU interconnect (QPI/UPI/Infinity Fabric); NVML_TOPOLOGY_SYSTEM. */
    CROSS_CPU(50, "SYS");

    private final int nvmlLevel;
    private final String smiName;

    PcieRelation(int nvmlLevel, String smiName) {
        this.nvmlLevel = nvmlLevel;
        this.smiName = smiName;
    }

    public int nvmlLevel() {
        return nvmlLevel;
    }

    /** The abbreviation {@code nvidia-smi topo -m} prints. */
    public String smiName() {
        return smiName;
    }

    public static PcieRelation fromNvmlLevel(int level) {
        for (PcieRelation r : values()) {
            if (r.nvmlLevel == level) {
                return r;
            }
        }
        throw new IllegalArgumentException("unknown NVML topology level " + level);
    }

    public static PcieRelation parse(String text) {
        String t = text.trim();
        for (PcieRelation r : values()) {
            if (r.smiName.equalsIgnoreCase(t) || r.name().equalsIgnoreCase(t.replace('-', '_'))) {
                return r;
            }
        }
        throw new IllegalArgumentException("unknown PCIe relation '" + text + "' (expected one of SB, PIX, PXB, PHB, NODE, SYS)");
    }
}
