package dev.tangram.deviceplugin.labels;

import dev.tangram.core.model.Gpu;
import dev.tangram.core.model.GpuSharing;
import dev.tangram.core.model.NodeInventory;
import dev.tangram.core.names.TangramNames;
import dev.tangram.deviceplugin.config.MigStrategy;
import dev.tangram.deviceplugin.config.SharingConfig;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The node labels, spelled as NVIDIA's GPU feature discovery spells them so that existing node selectors keep working.
 * Values describe GPU 0 where GFD does (product, memory, compute capability); replicas are the largest replica count on the
 * node. A node without GPUs gets {@code nvidia.com/gpu.present=false} and nothing else.
 */
public final class NodeLabels {
    private NodeLabels() {
    }

    /** @param inventory the inventory with sharing applied (as {@code NodeState} holds it) */
    public static Map<String, String> of(NodeInventory inventory, MigStrategy mig, SharingConfig sharing) {
        Map<String, String> l = new LinkedHashMap<>();
        if (inventory.gpus().isEmpty()) {
            l.put(TangramNames.LABEL_GPU_PRESENT, "false");
            return l;
        }
        Gpu first = inventory.gpus().getFirst();
        int replicas = inventory.gpus().stream().mapToInt(Gpu::replicas).max().orElse(1);
        String product = first.product();
        if (mig == MigStrategy.SINGLE && first.migEnabled() && !first.migDevices().isEmpty()) {
            product = product + "-MIG-" + first.migDevices().getFirst().profile();
        } else if (replicas > 1 && !sharing.renameByDefault()) {
            product = product + "-SHARED";
        }
        l.put(TangramNames.LABEL_GPU_PRESENT, "true");
        l.put(TangramNames.LABEL_GPU_PRODUCT, value(product));
        l.put(TangramNames.LABEL_GPU_MEMORY, Long.toString(first.memoryMib()));
        l.put(TangramNames.LABEL_GPU_COUNT, Integer.toString(inventory.gpus().size()));
        l.put(TangramNames.LABEL_GPU_REPLICAS, Integer.toString(replicas));
        l.put(TangramNames.LABEL_GPU_SHARING_STRATEGY, replicas > 1 ? sharingStrategy(inventory) : "none");
        l.put(TangramNames.LABEL_GPU_FAMILY, value(first.architecture()));
        l.put(TangramNames.LABEL_GPU_COMPUTE_MAJOR, Integer.toString(first.computeCapability().major()));
        l.put(TangramNames.LABEL_GPU_COMPUTE_MINOR, Integer.toString(first.computeCapability().minor()));
        l.put(TangramNames.LABEL_MIG_STRATEGY, mig.spelling());
        l.put(TangramNames.LABEL_MIG_CAPABLE, Boolean.toString(inventory.gpus().stream().anyMatch(Gpu::migCapable)));
        String[] driver = inventory.driverVersion().split("\\.");
        l.put(TangramNames.LABEL_CUDA_DRIVER_MAJOR, part(driver, 0));
        l.put(TangramNames.LABEL_CUDA_DRIVER_MINOR, part(driver, 1));
        l.put(TangramNames.LABEL_CUDA_DRIVER_REVISION, part(driver, 2));
        l.put(TangramNames.LABEL_CUDA_DRIVER_FULL, value(inventory.driverVersion()));
        return l;
    }

    private static String sharingStrategy(NodeInventory inventory) {
        Set<String> s = new TreeSet<>();
        inventory.gpus().forEach(g -> g.sharing().map(GpuSharing::strategy).ifPresent(s::add));
        return s.size() == 1 ? s.iterator().next() : "mixed";
    }

    private static String part(String[] parts, int i) {
        return i < parts.length && !parts[i].isBlank() ? value(parts[i]) : "0";
    }

    /** A legal label value: at most 63 characters of [A-Za-z0-9._-], starting and ending alphanumeric. */
    static String value(String raw) {
        String v = raw.trim().replace(' ', '-').replaceAll("[^A-Za-z0-9._-]", "_");
        if (v.length() > 63) {
            v = v.substring(0, 63);
        }
        v = v.replaceAll("^[^A-Za-z0-9]+", "").replaceAll("[^A-Za-z0-9]+$", "");
        return v;
    }
}
