package dev.tangram.extender.state;

import dev.tangram.core.model.LinkMatrix;
import dev.tangram.core.placement.GpuView;
import dev.tangram.core.placement.NodeView;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What placement can tell apart about a node: its GPUs' models, memory, NUMA nodes, health and free capacity, and their
 * links, without names or device IDs. Two nodes of one shape give any pod the same fit, the same reason and the same
 * scores (at the same GPU positions), so a request evaluates each shape once. Interned by {@link ClusterState}: shapes
 * of live nodes compare by identity.
 */
public final class NodeShape {
    private final List<GpuShape> gpus;
    private final LinkMatrix links;
    private final int hash;

    record GpuShape(String model, long memoryMib, int numaNode, boolean healthy, int freeMilli, int replicas, int freeReplicas,
                    boolean migEnabled, List<String> freeMig, int usedMigSlots) {
    }

    private NodeShape(List<GpuShape> gpus, LinkMatrix links) {
        this.gpus = gpus;
        this.links = links;
        this.hash = Objects.hash(gpus, links);
    }

    public static NodeShape of(NodeView view) {
        List<GpuShape> gpus = new ArrayList<>(view.gpus().size());
        for (GpuView g : view.gpus()) {
            List<String> mig = g.freeMigDevices().isEmpty() ? List.of()
                    : g.freeMigDevices().stream().map(d -> d.profile() + "@" + d.placementStart() + "+" + d.placementSize()).toList();
            gpus.add(new GpuShape(g.model(), g.memoryMib(), g.numaNode(), g.healthy(), g.freeMilli(), g.replicas(),
                    g.freeReplicaIds().size(), g.migEnabled(), mig, g.usedMigSlots()));
        }
        return new NodeShape(List.copyOf(gpus), view.links());
    }

    @Override
    public boolean equals(Object o) {
        return o == this || o instanceof NodeShape other && hash == other.hash && gpus.equals(other.gpus) && links.equals(other.links);
    }

    @Override
    public int hashCode() {
        return hash;
    }
}
