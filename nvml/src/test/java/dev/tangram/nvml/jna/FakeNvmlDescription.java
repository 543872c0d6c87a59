package dev.tangram.nvml.jna;

import dev.tangram.core.model.Gpu;
import dev.tangram.core.model.MigDevice;
import dev.tangram.core.model.MigProfile;
import dev.tangram.core.model.NodeInventory;
import dev.tangram.core.probe.GpuMetrics;
import dev.tangram.nvml.sim.SimulatedGpuProbe;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Writes what a simulated probe sees in the fake NVML library's line format (documented at the top of fake_nvml.c), with
 * NVML's conventions: bytes, milliwatts, eight-digit upper-case PCI bus ids, architecture codes, profile indices.
 */
public final class FakeNvmlDescription {
    private static final long MIB = 1024L * 1024L;

    private FakeNvmlDescription() {
    }

    public static String of(SimulatedGpuProbe probe) {
        NodeInventory inv = probe.inventory();
        StringBuilder sb = new StringBuilder();
        sb.append("driver ").append(inv.driverVersion()).append('\n');
        String[] cuda = inv.cudaDriverVersion().split("\\.");
        sb.append("cuda ").append(Integer.parseInt(cuda[0]) * 1000 + Integer.parseInt(cuda[1]) * 10).append('\n');
        for (Gpu g : inv.gpus()) {
            GpuMetrics m = g.health().healthy() ? probe.metrics(g.uuid()) : probe.spec().gpus().get(g.index()).metrics();
            sb.append(String.format(Locale.ROOT, "gpu %d %d %d %d %d %d %d %d %d %d %d %d %d %d %d %d %s %s %s%n", g.index(), g.minor(),
                    NvmlArchitecture.codeOf(g.architecture()), g.computeCapability().major(), g.computeCapability().minor(),
                    g.memoryMib() * MIB, m.memoryUsedMib() * MIB, g.numaNode(), g.migCapable() ? 1 : 0, g.migEnabled() ? 1 : 0,
                    m.gpuUtilizationPercent(), m.memoryUtilizationPercent(), m.temperatureCelsius(), Math.round(m.powerWatts() * 1000),
                    m.eccCorrected(), m.eccUncorrected(), nvmlBusId(g.pciBusId()), g.uuid(), g.product()));
        }
        links(sb, inv, probe.spec().nvswitchLinks());
        for (int i = 0; i < inv.gpus().size(); i++) {
            for (int j = 0; j < inv.gpus().size(); j++) {
                if (i != j) {
                    sb.append("topo ").append(i).append(' ').append(j).append(' ').append(inv.links().link(i, j).pcie().nvmlLevel()).append('\n');
                }
            }
        }
        for (Gpu g : inv.gpus()) {
            g.migCatalog().ifPresent(c -> c.profiles().forEach(p -> sb.append(String.format(Locale.ROOT, "giprofile %d %d %d %d %d %d%n",
                    g.index(), profileIndex(p), p.nvmlProfileId(), p.computeSlices(), p.memoryMib(), p.placementSize()))));
            for (MigDevice d : g.migDevices()) {
                MigProfile p = g.migCatalog().orElseThrow().profile(d.profile()).orElseThrow();
                sb.append(String.format(Locale.ROOT, "mig %d %d %d %d %d %d %d %s%n", g.index(), d.gpuInstanceId(), d.computeInstanceId(),
                        p.nvmlProfileId(), d.placementStart(), d.placementSize(), d.memoryMib() * MIB, d.uuid()));
            }
            if (!g.health().healthy()) {
                sb.append("lost ").append(g.index()).append('\n');
            }
        }
        return sb.toString();
    }

    /** {@code 0000:1b:00.0} as NVML writes it: {@code 00000000:1B:00.0}. */
    static String nvmlBusId(String busId) {
        return "0000" + busId.toUpperCase(Locale.ROOT);
    }

    /**
     * Each GPU's NVLinks: on an NVSwitch node, {@code nvswitchLinks} links into four switches; otherwise one link per NVLink
     * of each pair, pointing at the peer. A GPU with links gets one more, inactive, link where it has room, as real GPUs
     * have unused link slots.
     */
    private static void links(StringBuilder sb, NodeInventory inv, int nvswitchLinks) {
        int n = inv.gpus().size();
        List<List<String>> perGpu = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            perGpu.add(new ArrayList<>());
        }
        for (int i = 0; i < n; i++) {
            if (nvswitchLinks > 0) {
                for (int l = 0; l < nvswitchLinks; l++) {
                    perGpu.get(i).add("1 " + NvmlLibrary.NVML_NVLINK_DEVICE_TYPE_SWITCH + " " + String.format("00000000:%02X:00.0", 0xA0 + l % 4));
                }
                continue;
            }
            for (int j = 0; j < n; j++) {
                if (i != j) {
                    for (int l = 0; l < inv.links().link(i, j).nvlinks(); l++) {
                        perGpu.get(i).add("1 " + NvmlLibrary.NVML_NVLINK_DEVICE_TYPE_GPU + " " + nvmlBusId(inv.gpus().get(j).pciBusId()));
                    }
                }
            }
        }
        for (int i = 0; i < n; i++) {
            List<String> links = perGpu.get(i);
            if (!links.isEmpty() && links.size() < NvmlLibrary.NVML_NVLINK_MAX_LINKS) {
                links.add("0 " + NvmlLibrary.NVML_NVLINK_DEVICE_TYPE_GPU + " 00000000:00:00.0");
            }
            for (String l : links) {
                sb.append("link ").append(i).append(' ').append(l).append('\n');
            }
        }
    }

    /** The NVML_GPU_INSTANCE_PROFILE_* index of a catalog profile (1_SLICE=0, 2=1, 3=2, 4=3, 7=4, 1_SLICE_REV1=7, 1_SLICE_REV2=9). */
    private static int profileIndex(MigProfile p) {
        return switch (p.computeSlices()) {
            case 1 -> p.mediaExtensions() ? 7 : p.memorySlices() == 2 ? 9 : 0;
            case 2 -> 1;
            case 3 -> 2;
            case 4 -> 3;
            case 7 -> 4;
            default -> throw new IllegalArgumentException("no NVML profile index for " + p.name());
        };
    }
}
