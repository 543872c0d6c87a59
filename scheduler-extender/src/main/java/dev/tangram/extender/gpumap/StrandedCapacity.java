package dev.tangram.extender.gpumap;

import dev.tangram.core.names.TangramNames;
import dev.tangram.core.placement.Assignment;
import dev.tangram.core.placement.ContainerDemand;
import dev.tangram.core.placement.DeviceCandidates;
import dev.tangram.core.placement.FitResult;
import dev.tangram.core.placement.GpuDemand;
import dev.tangram.core.placement.GpuView;
import dev.tangram.core.placement.NodeFit;
import dev.tangram.core.placement.NodeView;
import dev.tangram.core.placement.PodDemand;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Stranded capacity: free GPU capacity on a node that no request shape of the workload could use there now. A shape can
 * use a GPU's free capacity when the whole pod fits the node ({@link NodeFit}) and the GPU is among the devices one of its
 * containers could be given ({@link DeviceCandidates}); a free MIG device when some container asks for its profile.
 * Free capacity is counted in thousandths of a GPU: a free whole GPU is 1000, a shared GPU its free replicas' share, a
 * MIG GPU 125 per slot of its free MIG devices (slots no MIG device covers cannot be given out, so they are not free
 * capacity). Unhealthy GPUs have none. With no shape at all nothing is stranded: there is nothing to measure against.
 */
public final class StrandedCapacity {
    private static final int MILLI_PER_MIG_SLOT = 1000 / 8;

    private StrandedCapacity() {
    }

    /** The distinct shapes of {@code pods} (their containers' demands and allowed models, not their names). */
    public static List<PodDemand> shapes(Collection<PodDemand> pods) {
        Set<List<Object>> seen = new LinkedHashSet<>();
        List<PodDemand> out = new ArrayList<>();
        for (PodDemand p : pods) {
            List<Object> key = List.of(p.containers().stream().map(c -> List.of(c.resource(), c.demand())).toList(), p.allowedModels());
            if (p.needsGpu() && seen.add(key)) {
                out.add(new PodDemand("shape-" + out.size(), 0, 0, p.containers(), p.allowedModels()));
            }
        }
        return out;
    }

    /** Free capacity of each GPU, by position, in thousandths of a GPU. */
    public static int[] free(NodeView node) {
        int[] free = new int[node.gpus().size()];
        for (GpuView g : node.gpus()) {
            if (!g.healthy()) {
                continue;
            }
            free[g.position()] = g.migEnabled()
                    ? g.freeMigDevices().stream().mapToInt(d -> d.placementSize() * MILLI_PER_MIG_SLOT).sum()
                    : g.freeMilli();
        }
        return free;
    }

    /** Stranded thousandths of each GPU, by position, against {@code shapes} (see {@link #shapes}). */
    public static int[] of(NodeView node, List<PodDemand> shapes) {
        int[] stranded = new int[node.gpus().size()];
        if (shapes.isEmpty()) {
            return stranded;
        }
        boolean[] usable = new boolean[node.gpus().size()];
        Set<String> usableMig = new HashSet<>();
        for (PodDemand shape : shapes) {
            if (!(NodeFit.check(node, shape) instanceof FitResult.Fits)) {
                continue;
            }
            for (ContainerDemand c : shape.containers()) {
                if (c.demand() instanceof GpuDemand.MigDevices m) {
                    for (GpuView g : node.gpus()) {
                        g.freeMigDevices().stream()
                                .filter(d -> g.healthy() && shape.acceptsModel(g.model()) && (d.profile().equals(m.profile())
                                        || TangramNames.migResource(d.profile()).equals(c.resource())))
                                .forEach(d -> usableMig.add(d.uuid()));
                    }
                    continue;
                }
                for (Assignment.ContainerAssignment option : DeviceCandidates.of(node, shape, c)) {
                    option.gpuPositions().forEach(p -> usable[p] = true);
                }
            }
        }
        int[] free = free(node);
        for (GpuView g : node.gpus()) {
            int p = g.position();
            if (g.migEnabled()) {
                stranded[p] = g.healthy() ? g.freeMigDevices().stream().filter(d -> !usableMig.contains(d.uuid()))
                        .mapToInt(d -> d.placementSize() * MILLI_PER_MIG_SLOT).sum() : 0;
            } else if (!usable[p]) {
                stranded[p] = free[p];
            }
        }
        return stranded;
    }
}
