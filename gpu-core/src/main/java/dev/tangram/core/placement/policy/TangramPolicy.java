package dev.tangram.core.placement.policy;

import dev.tangram.core.placement.Assignment;
import dev.tangram.core.placement.NodeView;
import dev.tangram.core.placement.PodDemand;

import java.util.List;

/**
 * Tangram's policy: fragmentation gradient descent against the <em>whole</em> target workload. FGD measures fragmentation
 * against the most popular task shapes covering 95 % of tasks, which drops rare shapes; on the Alibaba trace those are
 * the 2-, 4- and 8-GPU tasks, the ones that need whole free GPUs and whole nodes. Tangram keeps every shape, weighted by
 * its GPU demand: a shape on a fraction of a GPU counts its share ({@code milli / 1000}) per task, a whole-GPU shape
 * {@code 1 + GPUs} per task (see {@link PolicyOptions#weightedByGpuDemand}), so breaking up a node that an 8-GPU task could
 * still use costs what it should and the many tiny shares do not dominate the measure.
 *
 * <p>Node scores are FGD's 1 %-buckets {@code int(100 * sigmoid(-Δ / 1000))}, equal scores broken at random by the host
 * selector: in the simulator, ranking nodes by the exact Δ instead (with or without a packing tie-breaker) allocated
 * less (see docs/placement.md). Within a node the GPU with the smallest exact Δ wins, the tightest among equals.
 */
public final class TangramPolicy extends GradientPolicy {
    public TangramPolicy(FragmentationGradient gradient) {
        super(gradient);
    }

    @Override
    public String name() {
        return "tangram";
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
        return new ScoredAssignment(new Assignment(node.name(), List.of(best)), FgdPolicy.paperScore(bestDelta));
    }
}
