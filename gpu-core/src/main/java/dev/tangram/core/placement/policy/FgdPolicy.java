package dev.tangram.core.placement.policy;

import dev.tangram.core.placement.Assignment;
import dev.tangram.core.placement.NodeView;
import dev.tangram.core.placement.PodDemand;

import java.util.List;

/**
 * Fragmentation gradient descent (Weng et al., USENIX ATC 2023): place the pod where it increases the fragmentation
 * measure least. As in the paper's scheduler, a node scores {@code int(100 * sigmoid(-Δ / 1000))} (Δ in thousandths of a
 * GPU), and a fractional pod takes the GPU with the best such score, the lowest position among equals.
 */
public final class FgdPolicy extends GradientPolicy {
    public FgdPolicy(FragmentationGradient gradient) {
        super(gradient);
    }

    @Override
    public String name() {
        return "fgd";
    }

    /** The paper's integer node score for a change of {@code delta} thousandths of a GPU of fragmentation. */
    static long paperScore(double delta) {
        return (long) (100 / (1 + Math.exp(delta / 1000)));
    }

    @Override
    protected ScoredAssignment chooseFraction(NodeView node, PodDemand pod, int milli, List<Assignment.ContainerAssignment> options) {
        double before = gradient.of(node);
        Assignment.ContainerAssignment best = null;
        long bestScore = Long.MIN_VALUE;
        int lastFree = -1;
        long lastScore = 0;
        for (Assignment.ContainerAssignment o : options) {
            int position = o.gpuPositions().getFirst();
            int free = node.gpus().get(position).freeMilli();
            long s = free == lastFree ? lastScore
                    : paperScore(gradient.afterFraction(node, position, milli, pod.cpuMilli(), pod.memoryMib()) - before);
            lastFree = free;
            lastScore = s;
            if (s > bestScore) {
                best = o;
                bestScore = s;
            }
        }
        return new ScoredAssignment(new Assignment(node.name(), List.of(best)), bestScore);
    }
}
