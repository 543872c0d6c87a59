package dev.tangram.core.placement.policy;

import dev.tangram.core.placement.Assignment;
import dev.tangram.core.placement.NodeView;
import dev.tangram.core.placement.PodDemand;

/**
 * What the fragmentation-gradient policies ({@code fgd}, {@code tangram}) share: the gradient they learn from arriving
 * pods, the epoch that tells the extender when their scores change, and the node score — FGD's integer buckets of the
 * fragmentation increase. They differ in the workload the gradient measures against and in how a fractional pod's GPU
 * is chosen within a node.
 */
abstract class GradientPolicy extends ScoringPolicy implements PlacementFeedback {
    protected final FragmentationGradient gradient;

    GradientPolicy(FragmentationGradient gradient) {
        this.gradient = gradient;
    }

    @Override
    public void arrived(PodDemand pod) {
        gradient.observe(pod);
    }

    @Override
    public long scoreEpoch() {
        return gradient.measureVersion();
    }

    @Override
    protected double score(NodeView node, PodDemand pod, Assignment assignment) {
        return FgdPolicy.paperScore(gradient.after(node, pod, assignment) - gradient.of(node));
    }
}
