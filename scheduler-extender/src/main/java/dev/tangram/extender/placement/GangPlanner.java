package dev.tangram.extender.placement;

import dev.tangram.core.placement.NodeView;
import dev.tangram.core.placement.NodeViews;
import dev.tangram.core.placement.PlacementPolicy;
import dev.tangram.core.placement.PodDemand;
import dev.tangram.core.placement.topology.TopologyScorer;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Plans a whole gang at once: members are placed one after the other, biggest first, each on the node where its devices
 * are best connected ({@link TopologyScorer}), preferring nodes that already host a member (fewer hops between members),
 * then the policy's score, then the node name; each placement is applied before the next is planned. Pure.
 */
public final class GangPlanner {
    private GangPlanner() {
    }

    /** One member's place. */
    public record Placement(PodDemand demand, dev.tangram.core.placement.Assignment assignment) {
    }

    public sealed interface Outcome {
        /** Every member has a place; in the order of the demands given. */
        record Whole(List<Placement> placements) implements Outcome {
        }

        /** Only {@code placed} members could be placed. */
        record Short(int placed) implements Outcome {
        }
    }

    public static Outcome plan(List<NodeView> nodes, List<PodDemand> members, PlacementPolicy policy) {
        Map<String, NodeView> views = new LinkedHashMap<>();
        nodes.forEach(v -> views.put(v.name(), v));
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < members.size(); i++) {
            order.add(i);
        }
        order.sort(Comparator.comparingLong((Integer i) -> members.get(i).gpuMilli()).reversed());
        Placement[] placed = new Placement[members.size()];
        Set<String> hosting = new HashSet<>();
        Map<String, Optional<PlacementPolicy.ScoredAssignment>> cache = new HashMap<>();
        PodDemand cachedFor = null;
        int count = 0;
        for (int i : order) {
            PodDemand demand = members.get(i);
            if (cachedFor == null || !cachedFor.containers().equals(demand.containers())) {
                cache.clear();
                cachedFor = demand;
            }
            String bestNode = null;
            PlacementPolicy.ScoredAssignment best = null;
            double bestTopology = -1;
            for (NodeView view : views.values()) {
                Optional<PlacementPolicy.ScoredAssignment> option = cache.computeIfAbsent(view.name(), n -> policy.place(view, demand));
                if (option.isEmpty()) {
                    continue;
                }
                double topology = TopologyScorer.score(view, option.get().assignment());
                if (best == null || better(topology, hosting.contains(view.name()), option.get().score(), view.name(),
                        bestTopology, hosting.contains(bestNode), best.score(), bestNode)) {
                    best = option.get();
                    bestNode = view.name();
                    bestTopology = topology;
                }
            }
            if (best == null) {
                return new Outcome.Short(count);
            }
            views.put(bestNode, NodeViews.apply(views.get(bestNode), demand, best.assignment()));
            cache.remove(bestNode);
            hosting.add(bestNode);
            placed[i] = new Placement(demand, best.assignment());
            count++;
        }
        return new Outcome.Whole(List.of(placed));
    }

    private static boolean better(double topology, boolean hosts, double score, String node,
                                  double bestTopology, boolean bestHosts, double bestScore, String bestNode) {
        if (Math.abs(topology - bestTopology) > 1e-9) {
            return topology > bestTopology;
        }
        if (hosts != bestHosts) {
            return hosts;
        }
        if (Math.abs(score - bestScore) > 1e-9) {
            return score > bestScore;
        }
        return node.compareTo(bestNode) < 0;
    }
}
