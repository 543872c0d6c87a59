package dev.tangram.core.placement.policy;

import dev.tangram.core.placement.Assignment;
import dev.tangram.core.placement.NodeView;
import dev.tangram.core.placement.PodDemand;

import java.util.List;

/**
 * Tangram's policy: fragmentation gradient descent without the paper's coarse integer scores, with host memory in the
 * measure, and packing as the tie-breaker. The score is {@code -Δ} (thousandths of a GPU of fragmentation the placement
 * adds) plus a small bonus for leaving less free GPU on the node; within a node the GPU with the smallest exact Δ wins,
 * the tightest among equals.
 */
public final class TangramPolicy extends ScoringPolicy implements PlacementFeedback {
    /** Weight of the packing tie-breaker: far below one thousandth of a GPU of fragmentation. */
    static final double PACKING_WEIGHT = 1e-4;

    private final FragmentationGradient gradient;

    public TangramPolicy(FragmentationGradient gradient) {
        this.gradient = gradient;
    }

    @Override
    public String name() {
        return "tangram";
    }

    @Override
    public void arrived(PodDemand pod) {
        gradient.observe(pod);
    }

    @Override
    protected ScoredAssignment chooseFraction(NodeView node, PodDemand pod, int milli, List<Assignment.ContainerAssignment> options) {
        double before = gradient.of(node);
        Assignment.ContainerAssignment best = null;
        double bestDelta = Double.POSITIVE_INFINITY;
        int bestFree = Integer.MAX_VALUE;
        for (Assignment.ContainerAssignment o : options) {
            int position = o.gpuPositions().getFirst();
            int free = node.gpus().get(position).freeMilli();
            double delta = gradient.afterFraction(node, position, milli, pod.cpuMilli(), pod.memoryMib()) - before;
            if (delta < bestDelta - 1e-9 || (Math.abs(delta - bestDelta) <= 1e-9 && free < bestFree)) {
                best = o;
                bestDelta = delta;
                bestFree = free;
            }
        }
        Assignment a = new Assignment(node.name(), List.of(best));
        return new ScoredAssignment(a, combine(node, bestDelta, milli));
    }

    @Override
    protected double score(NodeView node, PodDemand pod, Assignment assignment) {
        double delta = gradient.after(node, pod, assignment) - gradient.of(node);
        return combine(node, delta, gpuMilli(node, assignment));
    }

    private static double combine(NodeView node, double delta, long taken) {
        double leftAfter = node.freeGpuMilli() - taken;
        return -delta - PACKING_WEIGHT * leftAfter;
    }
}
