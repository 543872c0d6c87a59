package dev.tangram.core.placement;

import dev.tangram.core.model.DeviceIds;
import dev.tangram.core.model.Gpu;
import dev.tangram.core.model.MigDevice;
import dev.tangram.core.model.NodeInventory;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Pure operations on {@link NodeView}s: what a node looks like after a placement. */
public final class NodeViews {
    private NodeViews() {
    }

    /**
     * A node's view from its inventory and the device IDs already in use (whole GPU UUIDs, replica IDs, MIG UUIDs). CPU and
     * memory are left to kube-scheduler ({@link Long#MAX_VALUE}).
     */
    public static NodeView fromInventory(NodeInventory inv, Set<String> usedDeviceIds) {
        List<GpuView> gpus = new ArrayList<>();
        for (int i = 0; i < inv.gpus().size(); i++) {
            gpus.add(gpuView(i, inv.gpus().get(i), usedDeviceIds));
        }
        return new NodeView(inv.nodeName(), Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE, gpus, inv.links());
    }

    private static GpuView gpuView(int position, Gpu g, Set<String> used) {
        if (g.migEnabled()) {
            List<GpuView.FreeMigDevice> free = new ArrayList<>();
            int slots = 0;
            for (MigDevice m : g.migDevices()) {
                if (used.contains(m.uuid())) {
                    slots |= ((1 << m.placementSize()) - 1) << m.placementStart();
                } else {
                    free.add(new GpuView.FreeMigDevice(m.uuid(), m.profile(), m.placementStart(), m.placementSize()));
                }
            }
            int freeMilli = 1000 - Integer.bitCount(slots) * 1000 / 8;
            return new GpuView(position, g.uuid(), g.product(), g.memoryMib(), g.numaNode(), g.health().healthy(), freeMilli, 1,
                    List.of(), true, free, slots);
        }
        int replicas = g.replicas();
        if (used.contains(g.uuid())) {
            return new GpuView(position, g.uuid(), g.product(), g.memoryMib(), g.numaNode(), g.health().healthy(), 0, replicas,
                    List.of(), false, List.of(), 0);
        }
        if (replicas == 1) {
            return new GpuView(position, g.uuid(), g.product(), g.memoryMib(), g.numaNode(), g.health().healthy(), 1000, 1,
                    List.of(), false, List.of(), 0);
        }
        List<String> free = new ArrayList<>();
        for (int r = 0; r < replicas; r++) {
            String id = DeviceIds.replica(g.uuid(), r);
            if (!used.contains(id)) {
                free.add(id);
            }
        }
        return new GpuView(position, g.uuid(), g.product(), g.memoryMib(), g.numaNode(), g.health().healthy(),
                (int) ((long) free.size() * 1000 / replicas), replicas, free, false, List.of(), 0);
    }

    /**
     * The node after {@code pod} takes {@code assignment}: CPU and memory requested, whole GPUs used up, fractions and
     * replicas subtracted, MIG devices taken. The assignment must have come from this node as it is.
     */
    public static NodeView apply(NodeView node, PodDemand pod, Assignment assignment) {
        List<GpuView> gpus = new ArrayList<>(node.gpus());
        for (Assignment.ContainerAssignment c : assignment.containers()) {
            Set<String> ids = new HashSet<>(c.deviceIds());
            for (int position : c.gpuPositions()) {
                gpus.set(position, take(gpus.get(position), ids, c.milliPerGpu()));
            }
        }
        return new NodeView(node.name(), node.cpuMilliCapacity(), subtract(node.cpuMilliFree(), pod.cpuMilli()),
                node.memoryMibCapacity(), subtract(node.memoryMibFree(), pod.memoryMib()), gpus, node.links());
    }

    private static long subtract(long free, long taken) {
        return free == Long.MAX_VALUE ? free : free - taken;
    }

    private static GpuView take(GpuView g, Set<String> ids, int milli) {
        List<GpuView.FreeMigDevice> migLeft = g.freeMigDevices().stream().filter(d -> !ids.contains(d.uuid())).toList();
        if (migLeft.size() != g.freeMigDevices().size()) {
            int slots = g.usedMigSlots();
            int takenSlots = 0;
            for (GpuView.FreeMigDevice d : g.freeMigDevices()) {
                if (ids.contains(d.uuid())) {
                    slots |= ((1 << d.placementSize()) - 1) << d.placementStart();
                    takenSlots += d.placementSize();
                }
            }
            int freeMilli = Math.max(0, g.freeMilli() - takenSlots * 1000 / 8);
            return copy(g, freeMilli, g.freeReplicaIds(), migLeft, slots);
        }
        List<String> replicasLeft = g.freeReplicaIds().stream().filter(id -> !ids.contains(id)).toList();
        if (replicasLeft.size() != g.freeReplicaIds().size()) {
            int freeMilli = (int) ((long) replicasLeft.size() * 1000 / g.replicas());
            return copy(g, Math.min(g.freeMilli(), freeMilli), replicasLeft, migLeft, g.usedMigSlots());
        }
        if (ids.contains(g.uuid()) && milli >= 1000) {
            return copy(g, 0, List.of(), migLeft, g.usedMigSlots());
        }
        if (ids.contains(g.uuid())) {
            if (milli > g.freeMilli()) {
                throw new IllegalArgumentException("GPU " + g.uuid() + " has " + g.freeMilli() + " milli free, not " + milli);
            }
            // A fraction of a shared GPU also uses up the replicas it stands for, rounded up.
            int replicasLeftCount = g.shared() ? (int) Math.floor((g.freeMilli() - milli) * g.replicas() / 1000.0) : 0;
            List<String> left = g.shared() ? g.freeReplicaIds().subList(0, Math.min(replicasLeftCount, g.freeReplicaIds().size())) : List.of();
            return copy(g, g.freeMilli() - milli, left, migLeft, g.usedMigSlots());
        }
        for (String id : ids) {
            if (DeviceIds.isReplica(id) && DeviceIds.physical(id).equals(g.uuid())) {
                throw new IllegalArgumentException("replica " + id + " is not free on GPU " + g.uuid());
            }
        }
        throw new IllegalArgumentException("assignment names GPU position " + g.position() + " (" + g.uuid() + ") but none of its devices");
    }

    private static GpuView copy(GpuView g, int freeMilli, List<String> replicas, List<GpuView.FreeMigDevice> mig, int slots) {
        return new GpuView(g.position(), g.uuid(), g.model(), g.memoryMib(), g.numaNode(), g.healthy(), freeMilli, g.replicas(),
                replicas, g.migEnabled(), mig, slots);
    }
}
