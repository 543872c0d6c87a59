package dev.tangram.core.placement.policy;

import dev.tangram.core.placement.Assignment;
import dev.tangram.core.placement.ContainerDemand;
import dev.tangram.core.placement.GpuDemand;
import dev.tangram.core.placement.NodeView;
import dev.tangram.core.placement.PodDemand;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * GPU clustering: keep pods of one kind (sharing, 1-GPU, 2-GPU, ... ) together. A node that holds only pods of the
 * pod's kind scores 75..100, one that holds that kind among others 50..75, an idle node 25..50, a node with other kinds
 * only 0..25; within each band, the fuller the node's GPUs the higher ({@code 25 * (8000 - free) / 8000}, integer
 * arithmetic). A pod without GPU scores 0. It learns the kinds on each node from {@link #bound}.
 */
public final class GpuClusteringPolicy extends ScoringPolicy implements PlacementFeedback {
    private final Map<String, Map<String, Integer>> kindsByNode = new ConcurrentHashMap<>();

    @Override
    public String name() {
        return "clustering";
    }

    /** The kind a pod is clustered by: "share-gpu", "N-gpu", MIG profile or replica count; null without GPU. */
    static String kindOf(PodDemand pod) {
        if (!pod.needsGpu()) {
            return null;
        }
        int whole = 0;
        StringBuilder other = new StringBuilder();
        for (ContainerDemand c : pod.containers()) {
            switch (c.demand()) {
                case GpuDemand.WholeGpus w -> whole += w.count();
                case GpuDemand.GpuFraction f -> other.append("share-gpu");
                case GpuDemand.SharedReplicas r -> other.append("replicas-").append(r.count());
                case GpuDemand.MigDevices m -> other.append("mig-").append(m.profile()).append('x').append(m.count());
            }
        }
        return other.isEmpty() ? whole + "-gpu" : other.toString();
    }

    @Override
    public void bound(PodDemand pod, Assignment assignment) {
        String kind = kindOf(pod);
        if (kind != null) {
            kindsByNode.computeIfAbsent(assignment.node(), n -> new HashMap<>()).merge(kind, 1, Integer::sum);
        }
    }

    @Override
    protected double score(NodeView node, PodDemand pod, Assignment assignment) {
        String kind = kindOf(pod);
        if (kind == null) {
            return 0;
        }
        long used = Math.max(0, (long) MAX_SPEC_GPU_MILLI - node.freeGpuMilli());
        long fill = 25 * used / (long) MAX_SPEC_GPU_MILLI;
        Map<String, Integer> kinds = kindsByNode.getOrDefault(node.name(), Map.of());
        if (kinds.getOrDefault(kind, 0) > 0) {
            return fill + (kinds.size() == 1 ? 75 : 50);
        }
        return fill + (kinds.isEmpty() ? 25 : 0);
    }
}
