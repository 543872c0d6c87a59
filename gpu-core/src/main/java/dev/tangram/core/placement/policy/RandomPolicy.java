package dev.tangram.core.placement.policy;

import dev.tangram.core.placement.Assignment;
import dev.tangram.core.placement.NodeView;
import dev.tangram.core.placement.PodDemand;

import java.util.List;
import java.util.SplittableRandom;

/**
 * Random fit: every feasible node gets a random score, so the best is uniform over the nodes that fit; a fractional pod
 * goes to a uniformly random GPU with room. Seeded, so runs repeat.
 */
public final class RandomPolicy extends ScoringPolicy {
    private final SplittableRandom random;

    public RandomPolicy(long seed) {
        this.random = new SplittableRandom(seed);
    }

    @Override
    public String name() {
        return "random";
    }

    @Override
    protected synchronized ScoredAssignment chooseFraction(NodeView node, PodDemand pod, int milli,
                                                           List<Assignment.ContainerAssignment> options) {
        Assignment.ContainerAssignment pick = options.get(random.nextInt(options.size()));
        return new ScoredAssignment(new Assignment(node.name(), List.of(pick)), random.nextDouble());
    }

    @Override
    protected synchronized double score(NodeView node, PodDemand pod, Assignment assignment) {
        return random.nextDouble();
    }
}
