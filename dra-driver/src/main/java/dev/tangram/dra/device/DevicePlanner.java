package dev.tangram.dra.device;

import dev.tangram.core.model.Gpu;
import dev.tangram.core.model.MigDevice;
import dev.tangram.core.model.MigProfile;
import dev.tangram.core.model.MigProfileCatalog;
import dev.tangram.core.model.NodeInventory;
import dev.tangram.core.names.TangramNames;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * Turns a node inventory into the devices of the driver's pool (a pure function). A GPU without MIG mode is one device
 * with its attributes and capacities (shareable by several claims through its {@code memory} capacity when enabled). A
 * GPU with MIG mode on is published as one partition device per legal placement of every profile, all consuming the
 * GPU's counter set ({@code compute-slices} and one {@code memory-slice-<i>} per placement slot), so that the scheduler
 * carves MIG on demand and the driver creates the instance at prepare.
 *
 * <p>MIG devices on the GPU that the driver did not create (a static MIG layout) take their slots out of the plan: the
 * placements overlapping them are not published, and their compute and memory slices are taken off the counter set.
 */
public final class DevicePlanner {
    public static final String STANDARD_DOMAIN = "resource.kubernetes.io";
    public static final String ATTR_PCIE_ROOT = STANDARD_DOMAIN + "/pcieRoot";
    public static final String ATTR_PCI_BUS_ID = STANDARD_DOMAIN + "/pciBusID";
    /** Taint key of an unhealthy device; the value is the reason. */
    public static final String TAINT_UNHEALTHY = TangramNames.DRA_DRIVER + "/unhealthy";
    /** The lowest GPU index NVLink-reachable from a GPU: equal values mean the GPUs talk over NVLink. */
    public static final String ATTR_NVLINK_GROUP = "nvlinkGroup";
    public static final String TYPE_GPU = "gpu";
    public static final String TYPE_MIG = "mig";
    private static final int COMPUTE_SLICES = 7;

    private final UnaryOperator<String> pcieRootOfBusId;
    private final boolean shareWholeGpus;

    /**
     * @param pcieRootOfBusId the PCIe root complex of a PCI bus id ({@code pci0000:15})
     * @param shareWholeGpus  publish non-partitionable GPUs with {@code allowMultipleAllocations} and a memory share policy
     */
    public DevicePlanner(UnaryOperator<String> pcieRootOfBusId, boolean shareWholeGpus) {
        this.pcieRootOfBusId = Objects.requireNonNull(pcieRootOfBusId, "pcieRootOfBusId");
        this.shareWholeGpus = shareWholeGpus;
    }

    /** The fallback root of a bus id when sysfs cannot tell: {@code 0000:18:00.0} → {@code pci0000:18}. */
    public static String busRoot(String busId) {
        String[] parts = busId.toLowerCase(java.util.Locale.ROOT).split(":");
        return parts.length >= 2 ? "pci" + parts[0] + ":" + parts[1] : "pci" + busId.toLowerCase(java.util.Locale.ROOT);
    }

    /**
     * @param pool          the pool name (the node name)
     * @param inventory     the node
     * @param ownedMigUuids MIG devices the driver created for prepared claims (they do not block their placements)
     */
    public DevicePlan plan(String pool, NodeInventory inventory, Set<String> ownedMigUuids) {
        List<GpuDevices> groups = new ArrayList<>();
        Map<String, DeviceTarget> targets = new LinkedHashMap<>();
        for (Gpu gpu : inventory.gpus()) {
            Map<String, AttributeValue> common = commonAttributes(inventory, gpu);
            Optional<MigProfileCatalog> catalog = gpu.migCatalog();
            List<MigDevice> foreign = gpu.migDevices().stream().filter(m -> !ownedMigUuids.contains(m.uuid())).toList();
            List<DraDevice> devices = new ArrayList<>();
            List<DeviceTaint> taints = taints(gpu);
            if (catalog.isEmpty() || !gpu.migEnabled()) {
                devices.add(wholeGpu(gpu, common, taints, List.of(), shareWholeGpus));
                targets.put(DeviceNames.wholeGpu(gpu), new DeviceTarget.WholeGpu(gpu));
                groups.add(new GpuDevices(gpu, Optional.empty(), devices));
                continue;
            }
            CounterSet counters = counterSet(gpu, catalog.get(), foreign);
            for (MigProfile profile : catalog.get().profiles()) {
                for (int start : profile.placementStarts()) {
                    if (foreign.stream().anyMatch(m -> m.overlaps(start, profile.placementSize()))) {
                        continue;
                    }
                    devices.add(partition(gpu, profile, start, common, taints, counters.name()));
                    targets.put(DeviceNames.migPartition(gpu, profile, start), new DeviceTarget.MigPartition(gpu, profile, start));
                }
            }
            groups.add(new GpuDevices(gpu, Optional.of(counters), devices));
        }
        return new DevicePlan(pool, groups, targets);
    }

    private Map<String, AttributeValue> commonAttributes(NodeInventory inventory, Gpu gpu) {
        Map<String, AttributeValue> a = new HashMap<>();
        a.put("productName", AttributeValue.of(gpu.product()));
        a.put("architecture", AttributeValue.of(gpu.architecture()));
        a.put("cudaComputeCapability", AttributeValue.version(gpu.computeCapability().toString()));
        a.put("driverVersion", AttributeValue.version(inventory.driverVersion()));
        a.put("cudaDriverVersion", AttributeValue.version(inventory.cudaDriverVersion()));
        a.put("index", AttributeValue.of(gpu.index()));
        a.put("minor", AttributeValue.of(gpu.minor()));
        a.put("numa", AttributeValue.of(gpu.numaNode()));
        a.put(ATTR_NVLINK_GROUP, AttributeValue.of(nvlinkGroup(inventory, gpu)));
        a.put(ATTR_PCIE_ROOT, AttributeValue.of(pcieRootOfBusId.apply(gpu.pciBusId())));
        a.put(ATTR_PCI_BUS_ID, AttributeValue.of(gpu.pciBusId().toLowerCase(java.util.Locale.ROOT)));
        return a;
    }

    /** The smallest index in the GPU's NVLink-connected component (itself when it has no NVLink). */
    static int nvlinkGroup(NodeInventory inventory, Gpu gpu) {
        int n = inventory.gpus().size();
        int start = inventory.positionOf(gpu.uuid());
        boolean[] seen = new boolean[n];
        java.util.ArrayDeque<Integer> queue = new java.util.ArrayDeque<>(List.of(start));
        seen[start] = true;
        int lowest = gpu.index();
        while (!queue.isEmpty()) {
            int i = queue.poll();
            lowest = Math.min(lowest, inventory.gpus().get(i).index());
            for (int j = 0; j < n; j++) {
                if (!seen[j] && j != i && inventory.links().link(i, j).nvlinks() > 0) {
                    seen[j] = true;
                    queue.add(j);
                }
            }
        }
        return lowest;
    }

    private static DraDevice wholeGpu(Gpu gpu, Map<String, AttributeValue> common, List<DeviceTaint> taints,
                                      List<CounterUse> consumes, boolean shared) {
        Map<String, AttributeValue> a = new HashMap<>(common);
        a.put("type", AttributeValue.of(TYPE_GPU));
        a.put("uuid", AttributeValue.of(gpu.uuid()));
        Map<String, Capacity> c = new HashMap<>();
        String memory = gpu.memoryMib() + "Mi";
        c.put("memory", shared
                ? new Capacity(memory, Optional.of(new Capacity.SharePolicy(memory, "1Gi", memory)))
                : Capacity.of(memory));
        OptionalInt sms = Multiprocessors.forProduct(gpu.product());
        sms.ifPresent(n -> c.put("multiprocessors", Capacity.of(Integer.toString(n))));
        return new DraDevice(DeviceNames.wholeGpu(gpu), a, c, consumes, taints, shared);
    }

    private static DraDevice partition(Gpu gpu, MigProfile profile, int start, Map<String, AttributeValue> common,
                                       List<DeviceTaint> taints, String counterSet) {
        Map<String, AttributeValue> a = new HashMap<>(common);
        a.put("type", AttributeValue.of(TYPE_MIG));
        a.put("parentUUID", AttributeValue.of(gpu.uuid()));
        a.put("profile", AttributeValue.of(profile.name()));
        a.put("placementStart", AttributeValue.of(start));
        Map<String, Capacity> c = new HashMap<>();
        c.put("memory", Capacity.mebibytes(profile.memoryMib()));
        c.put("multiprocessors", Capacity.of(Integer.toString(profile.multiprocessors())));
        Map<String, String> used = new HashMap<>();
        used.put(DeviceNames.COMPUTE_SLICES, Integer.toString(profile.computeSlices()));
        for (int slot = start; slot < start + profile.placementSize(); slot++) {
            used.put(DeviceNames.memorySlice(slot), "1");
        }
        return new DraDevice(DeviceNames.migPartition(gpu, profile, start), a, c, List.of(new CounterUse(counterSet, used)),
                taints, false);
    }

    private static CounterSet counterSet(Gpu gpu, MigProfileCatalog catalog, List<MigDevice> foreign) {
        int computeTaken = 0;
        for (MigDevice m : foreign) {
            computeTaken += catalog.profile(m.profile()).map(MigProfile::computeSlices).orElse(0);
        }
        Map<String, String> counters = new HashMap<>();
        counters.put(DeviceNames.COMPUTE_SLICES, Integer.toString(Math.max(0, COMPUTE_SLICES - computeTaken)));
        for (int slot = 0; slot < MigProfile.PLACEMENT_SLOTS; slot++) {
            final int s = slot;
            boolean taken = foreign.stream().anyMatch(m -> m.overlaps(s, 1));
            counters.put(DeviceNames.memorySlice(slot), taken ? "0" : "1");
        }
        return new CounterSet(DeviceNames.counterSet(gpu), counters);
    }

    private static List<DeviceTaint> taints(Gpu gpu) {
        if (gpu.health().healthy()) {
            return List.of();
        }
        return List.of(new DeviceTaint(TAINT_UNHEALTHY, taintValue(gpu.health().reason()), DeviceTaint.NO_SCHEDULE));
    }

    /** A label-value-shaped reason: letters, digits, '-', '_' and '.', at most 63, starting and ending alphanumeric. */
    static String taintValue(String reason) {
        String v = reason.replaceAll("[^A-Za-z0-9_.-]+", "-");
        v = v.length() > 63 ? v.substring(0, 63) : v;
        v = v.replaceAll("^[^A-Za-z0-9]+", "").replaceAll("[^A-Za-z0-9]+$", "");
        return v.isEmpty() ? "unhealthy" : v;
    }
}
