package dev.tangram.core.placement.policy;

import dev.tangram.core.placement.Assignment;
import dev.tangram.core.placement.NodeView;
import dev.tangram.core.placement.PodDemand;

/**
 * Dot product (Tetris): the dot product of the node's free (CPU, GPU) and the pod's request, both normalised by the
 * largest node and averaged over the two dimensions; the smaller it is the better: score {@code int(100 * (1 - dot))}.
 * GPU counts as one merged dimension (the node's total free GPU); fractions go to the tightest GPU.
 */
public final class DotProductPolicy extends ScoringPolicy {
    @Override
    public String name() {
        return "dotprod";
    }

    @Override
    protected double score(NodeView node, PodDemand pod, Assignment assignment) {
        double gpu = (node.freeGpuMilli() / MAX_SPEC_GPU_MILLI) * (gpuMilli(node, assignment) / MAX_SPEC_GPU_MILLI);
        double dot;
        if (node.cpuMilliFree() == Long.MAX_VALUE) {
            dot = gpu;
        } else {
            double cpu = (node.cpuMilliFree() / MAX_SPEC_CPU_MILLI) * (pod.cpuMilli() / MAX_SPEC_CPU_MILLI);
            dot = (cpu + gpu) / 2;
        }
        return (long) (100 * (1 - dot));
    }
}
