package dev.tangram.sim;

import dev.tangram.core.model.DeviceIds;
import dev.tangram.core.model.LinkMatrix;
import dev.tangram.core.model.MigProfile;
import dev.tangram.core.model.MigProfileCatalog;
import dev.tangram.core.placement.GpuView;
import dev.tangram.core.placement.NodeView;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A node of the simulated cluster as built: CPU, memory and identical GPUs, each whole, cut into the same MIG layout, or
 * shared as the same number of time-sliced replicas.
 *
 * @param name         node name
 * @param cpuMilli     allocatable CPU
 * @param memoryMib    allocatable memory
 * @param gpus         number of GPUs
 * @param model        GPU model (a product name, or the trace's model code)
 * @param gpuMemoryMib memory per GPU (0 when unknown)
 * @param migLayout    MIG profiles carved on every GPU, in order; empty = MIG off
 * @param replicas     time-sliced replicas per GPU; 1 = not shared
 */
public record SimNode(String name, long cpuMilli, long memoryMib, int gpus, String model, long gpuMemoryMib, List<String> migLayout,
                      int replicas) {
    public SimNode {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(model, "model");
        migLayout = List.copyOf(migLayout);
        if (cpuMilli < 0 || memoryMib < 0 || gpus < 0 || gpuMemoryMib < 0) {
            throw new IllegalArgumentException("node " + name + ": CPU, memory and GPU count must not be negative");
        }
        if (replicas < 1) {
            throw new IllegalArgumentException("node " + name + ": replicas must be at least 1, got " + replicas);
        }
        if (!migLayout.isEmpty() && replicas > 1) {
            throw new IllegalArgumentException("node " + name + ": a GPU is either MIG-partitioned or shared by replicas, not both");
        }
    }

    public static SimNode whole(String name, long cpuMilli, long memoryMib, int gpus, String model) {
        return new SimNode(name, cpuMilli, memoryMib, gpus, model, 0, List.of(), 1);
    }

    public String gpuUuid(int index) {
        return name + "-gpu" + index;
    }

    /** The node with nothing placed on it. */
    public NodeView emptyView() {
        List<GpuView> views = new ArrayList<>(gpus);
        List<GpuView.FreeMigDevice> mig = migDevices();
        for (int i = 0; i < gpus; i++) {
            String uuid = gpuUuid(i);
            if (!migLayout.isEmpty()) {
                List<GpuView.FreeMigDevice> own = mig.stream()
                        .map(d -> new GpuView.FreeMigDevice(uuid + d.uuid(), d.profile(), d.placementStart(), d.placementSize())).toList();
                // As NodeViews counts it: a MIG GPU's free capacity is its slots not in use.
                views.add(new GpuView(i, uuid, model, gpuMemoryMib, -1, true, 1000, 1, List.of(), true, own, 0));
            } else if (replicas > 1) {
                List<String> ids = new ArrayList<>();
                for (int r = 0; r < replicas; r++) {
                    ids.add(DeviceIds.replica(uuid, r));
                }
                views.add(new GpuView(i, uuid, model, gpuMemoryMib, -1, true, 1000, replicas, ids, false, List.of(), 0));
            } else {
                views.add(new GpuView(i, uuid, model, gpuMemoryMib, -1, true, 1000, 1, List.of(), false, List.of(), 0));
            }
        }
        return new NodeView(name, cpuMilli, cpuMilli, memoryMib, memoryMib, views, LinkMatrix.empty());
    }

    /** The MIG devices of one GPU under {@link #migLayout}: each profile at its first legal free placement. */
    private List<GpuView.FreeMigDevice> migDevices() {
        if (migLayout.isEmpty()) {
            return List.of();
        }
        MigProfileCatalog catalog = MigProfileCatalog.forGpu(model, gpuMemoryMib).orElseThrow(() -> new IllegalArgumentException(
                "node " + name + ": GPU model '" + model + "' with " + gpuMemoryMib + " MiB cannot do MIG"));
        List<GpuView.FreeMigDevice> out = new ArrayList<>();
        int taken = 0;
        int n = 0;
        for (String profileName : migLayout) {
            MigProfile p = catalog.profile(profileName).orElseThrow(() -> new IllegalArgumentException(
                    "node " + name + ": unknown MIG profile '" + profileName + "' for " + model + "; known: "
                            + catalog.profiles().stream().map(MigProfile::name).toList()));
            int mask = (1 << p.placementSize()) - 1;
            Integer start = null;
            for (int s : p.placementStarts()) {
                if (((mask << s) & taken) == 0) {
                    start = s;
                    break;
                }
            }
            if (start == null) {
                throw new IllegalArgumentException("node " + name + ": MIG layout " + migLayout + " does not fit one GPU (no room for "
                        + profileName + ")");
            }
            taken |= mask << start;
            out.add(new GpuView.FreeMigDevice("-mig" + n++, p.name(), start, p.placementSize()));
        }
        return out;
    }

    public long gpuMilli() {
        return gpus * 1000L;
    }
}
