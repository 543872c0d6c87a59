package dev.tangram.core.placement.policy;

import dev.tangram.core.placement.Assignment;
import dev.tangram.core.placement.GpuView;
import dev.tangram.core.placement.NodeView;
import dev.tangram.core.placement.PodDemand;

/**
 * GPU packing: prefer, in this order, (1) sharing GPUs already in use, {@code 100 - (free % of the GPUs used)/10}, at
 * least 50; (2) whole free GPUs on a node already in use, {@code 50 - whole GPUs taken}, at least 33; (3) an idle node,
 * {@code max(33 - its GPUs, its GPUs)}. A pod without GPU scores 0 everywhere. Fractions go to the tightest GPU.
 */
public final class GpuPackingPolicy extends ScoringPolicy {
    @Override
    public String name() {
        return "packing";
    }

    @Override
    protected double score(NodeView node, PodDemand pod, Assignment assignment) {
        if (!pod.needsGpu()) {
            return 0;
        }
        long wholeFree = node.wholeFreeGpus();
        long gpus = node.gpus().stream().filter(GpuView::healthy).count();
        if (wholeFree == gpus) {
            return Math.max(100 / 3 - wholeFree, wholeFree);
        }
        int wholeTaken = 0;
        long freePercent = 0;
        for (Assignment.ContainerAssignment c : assignment.containers()) {
            for (int p : c.gpuPositions()) {
                GpuView g = node.gpus().get(p);
                if (g.wholeFree()) {
                    wholeTaken++;
                }
                freePercent += g.freeMilli() * 100L / 1000;
            }
        }
        if (wholeTaken > 0) {
            return Math.max(100 / 2 - wholeTaken, 100 / 3);
        }
        return Math.max(100 - freePercent / 10, 100 / 2);
    }
}
