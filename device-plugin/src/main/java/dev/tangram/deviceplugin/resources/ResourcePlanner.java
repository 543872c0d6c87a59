package dev.tangram.deviceplugin.resources;

import dev.tangram.core.model.DeviceIds;
import dev.tangram.core.model.Gpu;
import dev.tangram.core.model.GpuSharing;
import dev.tangram.core.model.MigDevice;
import dev.tangram.core.model.NodeInventory;
import dev.tangram.core.names.TangramNames;
import dev.tangram.deviceplugin.config.MigStrategy;
import dev.tangram.deviceplugin.config.SharingConfig;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Turns an inventory and the settings into the resources to serve. Pure: the same inventory gives the same resources.
 * <ul>
 *   <li>{@code none}: every GPU is offered whole, MIG or not.</li>
 *   <li>{@code single}: when every GPU has MIG on with one profile, all MIG devices are {@code nvidia.com/gpu}; when no GPU has
 *   MIG on, the GPUs are offered whole; anything in between is a {@link PlanException}.</li>
 *   <li>{@code mixed}: MIG devices as {@code nvidia.com/mig-<profile>}, GPUs without MIG whole.</li>
 * </ul>
 * Whole GPUs with more than one replica (by index, product or node-wide) are offered as replicas {@code <uuid>::<n>} under the
 * shared resource name (or under {@code nvidia.com/gpu} when renaming is off), each worth memory ÷ replicas. A resource with
 * no devices is left out.
 */
public final class ResourcePlanner {
    private ResourcePlanner() {
    }

    /** A node that the settings cannot serve (e.g. mixed MIG profiles under the single strategy). */
    public static final class PlanException extends RuntimeException {
        public PlanException(String message) {
            super(message);
        }
    }

    /** The inventory with each whole GPU's sharing filled in from the settings (what the inventory annotation shows). */
    public static NodeInventory withSharing(NodeInventory inv, MigStrategy mig, SharingConfig sharing) {
        List<Gpu> gpus = new ArrayList<>();
        for (Gpu g : inv.gpus()) {
            boolean whole = !g.migEnabled() || mig == MigStrategy.NONE;
            int replicas = whole ? sharing.replicasFor(g) : 1;
            gpus.add(g.withSharing(replicas > 1 ? Optional.of(GpuSharing.of(replicas, sharing.strategy(), g.memoryMib())) : Optional.empty()));
        }
        return inv.withGpus(gpus);
    }

    public static List<PluginResource> plan(NodeInventory inventory, MigStrategy mig, SharingConfig sharing) {
        NodeInventory inv = withSharing(inventory, mig, sharing);
        Map<String, List<AdvertisedDevice>> byName = new LinkedHashMap<>();
        boolean migSingle = mig == MigStrategy.SINGLE && checkSingle(inv);
        for (int pos = 0; pos < inv.gpus().size(); pos++) {
            Gpu g = inv.gpus().get(pos);
            if (g.migEnabled() && (mig == MigStrategy.MIXED || migSingle)) {
                for (MigDevice m : g.migDevices()) {
                    String name = migSingle ? TangramNames.RESOURCE_GPU : m.resourceName();
                    add(byName, name, new AdvertisedDevice(m.uuid(), DeviceKind.MIG, g, pos, Optional.of(m), m.memoryMib(), g.health()));
                }
            } else if (g.sharing().isPresent()) {
                GpuSharing s = g.sharing().get();
                String name = sharing.renameByDefault() ? sharing.resourceName() : TangramNames.RESOURCE_GPU;
                for (int r = 0; r < s.replicas(); r++) {
                    add(byName, name, new AdvertisedDevice(DeviceIds.replica(g.uuid(), r), DeviceKind.REPLICA, g, pos, Optional.empty(),
                            s.memoryMibPerReplica(), g.health()));
                }
            } else {
                add(byName, TangramNames.RESOURCE_GPU, new AdvertisedDevice(g.uuid(), DeviceKind.GPU, g, pos, Optional.empty(), g.memoryMib(), g.health()));
            }
        }
        List<PluginResource> out = new ArrayList<>();
        byName.forEach((name, devices) -> out.add(new PluginResource(name, devices)));
        return out;
    }

    private static void add(Map<String, List<AdvertisedDevice>> byName, String name, AdvertisedDevice d) {
        byName.computeIfAbsent(name, k -> new ArrayList<>()).add(d);
    }

    private static boolean checkSingle(NodeInventory inv) {
        long enabled = inv.gpus().stream().filter(Gpu::migEnabled).count();
        if (enabled == 0) {
            return false;
        }
        if (enabled != inv.gpus().size()) {
            throw new PlanException("migStrategy single needs MIG on every GPU or on none; " + enabled + " of " + inv.gpus().size()
                    + " GPUs have MIG enabled (use mixed)");
        }
        Set<String> profiles = new TreeSet<>();
        inv.migDevices().forEach(m -> profiles.add(m.profile()));
        if (profiles.size() > 1) {
            throw new PlanException("migStrategy single needs one MIG profile on the node, found more than one MIG device type: " + profiles
                    + " (use mixed)");
        }
        return true;
    }
}
