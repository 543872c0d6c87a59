package dev.tangram.extender.gpumap;

import dev.tangram.core.model.DeviceIds;
import dev.tangram.core.model.Gpu;
import dev.tangram.core.model.MigDevice;
import dev.tangram.core.model.NodeInventory;
import dev.tangram.core.placement.ContainerDemand;
import dev.tangram.core.placement.GpuDemand;
import dev.tangram.core.placement.GpuView;
import dev.tangram.core.placement.NodeView;
import dev.tangram.core.placement.PodDemand;
import dev.tangram.extender.gpumap.GpuMapView.CellState;
import dev.tangram.extender.state.ClusterOccupancy;
import dev.tangram.extender.state.NodeEntry;
import dev.tangram.extender.state.NodeShape;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Draws the GPU map from what the extender knows: a pure function of a {@link ClusterOccupancy} (the snapshot's free
 * devices, who holds the rest, the workload's shapes). The snapshot says what is free; the holders say by whom the rest
 * is taken, and whether for a gang. A device taken in the snapshot with no holder is charged to a pod another scheduler
 * placed.
 */
public final class GpuMapProjector {
    static final String UNATTRIBUTED = "held by a pod placed without a Tangram decision";

    private GpuMapProjector() {
    }

    public static GpuMapView project(ClusterOccupancy occupancy) {
        List<PodDemand> shapes = StrandedCapacity.shapes(occupancy.workload()).stream()
                .sorted(Comparator.comparing(GpuMapProjector::describe)).toList();
        Map<NodeShape, int[]> strandedByShape = new HashMap<>();
        List<NodeEntry> entries = occupancy.snapshot().nodes().values().stream().sorted(Comparator.comparing(NodeEntry::name)).toList();
        List<GpuMapView.NodeMap> nodes = new ArrayList<>(entries.size());
        Map<CellState, Integer> counts = new EnumMap<>(CellState.class);
        long freeMilli = 0;
        long strandedMilli = 0;
        int gpus = 0;
        for (NodeEntry e : entries) {
            if (e.view().isEmpty() || e.source().inventory().isEmpty()) {
                nodes.add(new GpuMapView.NodeMap(e.name(), e.source().problem(), 0, 0, List.of()));
                continue;
            }
            NodeView view = e.view().get();
            int[] stranded = e.shape().isPresent()
                    ? strandedByShape.computeIfAbsent(e.shape().get(), s -> StrandedCapacity.of(view, shapes))
                    : StrandedCapacity.of(view, shapes);
            int[] free = StrandedCapacity.free(view);
            NodeInventory inv = e.source().inventory().get();
            Map<String, ClusterOccupancy.Holder> holders = occupancy.holdersOn(e.name());
            List<GpuMapView.GpuCell> cells = new ArrayList<>();
            long nodeFree = 0;
            long nodeStranded = 0;
            for (int i = 0; i < inv.gpus().size(); i++) {
                GpuMapView.GpuCell cell = cell(inv.gpus().get(i), view.gpus().get(i), holders, free[i], stranded[i]);
                cells.add(cell);
                counts.merge(cell.state(), 1, Integer::sum);
                nodeFree += free[i];
                nodeStranded += stranded[i];
            }
            gpus += cells.size();
            freeMilli += nodeFree;
            strandedMilli += nodeStranded;
            nodes.add(new GpuMapView.NodeMap(e.name(), "", nodeFree / 1000.0, nodeStranded / 1000.0, cells));
        }
        GpuMapView.Totals totals = new GpuMapView.Totals(nodes.size(), gpus, counts.getOrDefault(CellState.FREE, 0),
                counts.getOrDefault(CellState.PARTIAL, 0), counts.getOrDefault(CellState.ALLOCATED, 0),
                counts.getOrDefault(CellState.RESERVED, 0), counts.getOrDefault(CellState.UNHEALTHY, 0),
                freeMilli / 1000.0, strandedMilli / 1000.0);
        return new GpuMapView(occupancy.snapshot().version(), totals, shapes.stream().map(GpuMapProjector::describe).toList(), nodes);
    }

    private static GpuMapView.GpuCell cell(Gpu gpu, GpuView view, Map<String, ClusterOccupancy.Holder> holders, int free, int stranded) {
        Set<String> names = new LinkedHashSet<>();
        CellState state;
        String note = "";
        GpuMapView.ReplicaUse replicas = null;
        List<GpuMapView.MigSlice> slices = new ArrayList<>();
        if (gpu.migEnabled()) {
            Set<String> freeIds = view.freeMigDevices().stream().map(GpuView.FreeMigDevice::uuid).collect(Collectors.toSet());
            for (MigDevice m : gpu.migDevices()) {
                ClusterOccupancy.Holder h = holders.get(m.uuid());
                CellState s = freeIds.contains(m.uuid()) ? CellState.FREE : taken(h);
                String holder = freeIds.contains(m.uuid()) ? "" : label(h);
                if (!holder.isEmpty()) {
                    names.add(holder);
                }
                slices.add(new GpuMapView.MigSlice(m.uuid(), m.profile(), m.placementStart(), m.placementSize(), s, holder));
            }
            slices.sort(Comparator.comparingInt(GpuMapView.MigSlice::start));
            state = combine(slices.stream().map(GpuMapView.MigSlice::state).toList());
            if (slices.isEmpty()) {
                note = "MIG on, nothing carved";
            }
        } else if (gpu.replicas() > 1) {
            Set<String> freeIds = Set.copyOf(view.freeReplicaIds());
            int reserved = 0;
            List<CellState> states = new ArrayList<>();
            for (int r = 0; r < gpu.replicas(); r++) {
                String id = DeviceIds.replica(gpu.uuid(), r);
                ClusterOccupancy.Holder h = holders.getOrDefault(id, holders.get(gpu.uuid()));
                CellState s = freeIds.contains(id) ? CellState.FREE : taken(h);
                if (s != CellState.FREE) {
                    names.add(label(h));
                }
                reserved += s == CellState.RESERVED ? 1 : 0;
                states.add(s);
            }
            int used = gpu.replicas() - freeIds.size() - reserved;
            replicas = new GpuMapView.ReplicaUse(used, reserved, gpu.replicas());
            state = combine(states);
        } else if (view.freeMilli() >= 1000) {
            state = CellState.FREE;
        } else {
            ClusterOccupancy.Holder h = holders.get(gpu.uuid());
            names.add(label(h));
            state = view.freeMilli() > 0 ? CellState.PARTIAL : taken(h);
        }
        names.remove("");
        if (names.isEmpty() && state != CellState.FREE) {
            note = UNATTRIBUTED;
        }
        if (!gpu.health().healthy()) {
            state = CellState.UNHEALTHY;
            note = gpu.health().reason();
        }
        return new GpuMapView.GpuCell(gpu.index(), gpu.uuid(), gpu.product(), gpu.memoryMib(), state, note, List.copyOf(names),
                free, stranded, replicas, gpu.migEnabled(), slices);
    }

    private static CellState taken(ClusterOccupancy.Holder h) {
        return h != null && h.kind() == ClusterOccupancy.HolderKind.GANG ? CellState.RESERVED : CellState.ALLOCATED;
    }

    private static String label(ClusterOccupancy.Holder h) {
        if (h == null) {
            return "";
        }
        return h.kind() == ClusterOccupancy.HolderKind.GANG ? "gang " + h.name() : h.name();
    }

    /** A GPU's state from its parts': all free, all reserved, all taken (reserved or not), or partly taken. */
    static CellState combine(List<CellState> parts) {
        if (parts.stream().allMatch(s -> s == CellState.FREE)) {
            return CellState.FREE;
        }
        if (parts.stream().allMatch(s -> s == CellState.RESERVED)) {
            return CellState.RESERVED;
        }
        if (parts.stream().noneMatch(s -> s == CellState.FREE)) {
            return CellState.ALLOCATED;
        }
        return CellState.PARTIAL;
    }

    /** A shape as text: {@code 2 × nvidia.com/gpu}, {@code 1 × nvidia.com/mig-1g.10gb + 1 × nvidia.com/gpu.shared}. */
    static String describe(PodDemand shape) {
        String containers = shape.containers().stream().map(GpuMapProjector::describe).collect(Collectors.joining(" + "));
        return shape.allowedModels().isEmpty() ? containers
                : containers + " on " + shape.allowedModels().stream().sorted().collect(Collectors.joining(", "));
    }

    private static String describe(ContainerDemand c) {
        return switch (c.demand()) {
            case GpuDemand.WholeGpus w -> w.count() + " × " + c.resource();
            case GpuDemand.SharedReplicas r -> r.count() + " × " + c.resource();
            case GpuDemand.MigDevices m -> m.count() + " × " + c.resource();
            case GpuDemand.GpuFraction f -> f.milli() + "m of " + c.resource();
        };
    }
}
