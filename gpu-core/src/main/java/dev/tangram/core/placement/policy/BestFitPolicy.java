package dev.tangram.core.placement.policy;

import dev.tangram.core.placement.Assignment;
import dev.tangram.core.placement.NodeView;
import dev.tangram.core.placement.PodDemand;

/**
 * Best fit: the node left with the least free CPU and GPU, each normalised by the largest node (128 cores, 8 GPUs) and
 * weighted one half; score {@code int(100 * (1 - leftover))}. Fractions go to the tightest GPU. Where CPU is unknown
 * (left to kube-scheduler) GPU alone counts.
 */
public final class BestFitPolicy extends ScoringPolicy {
    @Override
    public String name() {
        return "bestfit";
    }

    @Override
    protected double score(NodeView node, PodDemand pod, Assignment assignment) {
        double gpu = (node.freeGpuMilli() - gpuMilli(node, assignment)) / MAX_SPEC_GPU_MILLI;
        double cpu = cpuTerm(node, pod.cpuMilli());
        double leftover = Double.isNaN(cpu) ? gpu : 0.5 * cpu + 0.5 * gpu;
        return (long) ((1 - leftover) * 100);
    }
}
