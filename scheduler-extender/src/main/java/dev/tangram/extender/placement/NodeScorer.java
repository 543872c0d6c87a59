package dev.tangram.extender.placement;

import dev.tangram.core.placement.ContainerDemand;
import dev.tangram.core.placement.NodeView;
import dev.tangram.core.placement.NodeViews;
import dev.tangram.core.placement.PlacementPolicy;
import dev.tangram.core.placement.PodDemand;
import dev.tangram.core.placement.policy.PlacementFeedback;
import dev.tangram.core.placement.topology.TopologyScorer;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Prioritize: a weighted sum of scorers, each 0..1, turned into kube-scheduler's 0..10. The devices scored are the ones
 * the configured policy picks on each node (and the ones bind will write): topology fit is {@link TopologyScorer} of that
 * set; fragmentation is the policy's own score, min-max normalised over the nodes of the request (policies' scores are
 * comparable across nodes for one pod, not on a fixed scale); packing is {@link PackingScorer}. Never above 10: the
 * scheduler does not clamp.
 */
public final class NodeScorer {
    public static final int MAX_SCORE = 10;

    private final SerializedPolicy policy;
    private final Weights weights;
    private final PackingScorer packing;
    private final Map<PartsKey, Parts> known = new ConcurrentHashMap<>();
    private volatile long knownEpoch = PlacementFeedback.NO_EPOCH;

    /** Scorer values kept across requests, at most this many (cleared past it, and whenever the policy's epoch moves). */
    static final int MAX_KNOWN = 100_000;

    public NodeScorer(SerializedPolicy policy, Weights weights, PackingScorer.Mode mode) {
        this.policy = policy;
        this.weights = weights;
        this.packing = new PackingScorer(mode);
    }

    /** Weights of the scorers; they need not sum to 1, but must not all be 0. */
    public record Weights(double topology, double fragmentation, double packing) {
        public Weights {
            if (topology < 0 || fragmentation < 0 || packing < 0 || topology + fragmentation + packing <= 0) {
                throw new IllegalArgumentException("score weights must be >= 0 and not all 0, got topology=" + topology
                        + " fragmentation=" + fragmentation + " packing=" + packing);
            }
        }
    }

    /** A node's score, 0..{@value #MAX_SCORE}. */
    public record HostScore(String host, int score) {
    }

    public SerializedPolicy policy() {
        return policy;
    }

    /** Scores in the order of {@code nodes}; an absent view (unknown node, no inventory) or a pod that does not fit scores 0. */
    public List<HostScore> score(List<String> names, List<Optional<NodeView>> nodes, PodDemand pod) {
        return score(names, nodes, java.util.Collections.nCopies(names.size(), null), pod);
    }

    /** The raw scorer values of one node. */
    private record Parts(boolean fits, double topology, double raw, double pack) {
    }

    /** What the scorer values of a node depend on: the policy's epoch, the node's shape and the demand (not the pod's name). */
    private record PartsKey(long epoch, Object shape, long cpuMilli, long memoryMib, List<ContainerDemand> containers,
                            Set<String> models) {
    }

    /**
     * As {@link #score(List, List, PodDemand)}, evaluating nodes that share a shape key (same hardware, same free
     * capacity; compared by identity, null = no key) once.
     */
    public List<HostScore> score(List<String> names, List<Optional<NodeView>> nodes, List<?> shapes, PodDemand pod) {
        int n = names.size();
        List<HostScore> out = new ArrayList<>(n);
        if (!pod.needsGpu()) {
            names.forEach(name -> out.add(new HostScore(name, 0)));
            return out;
        }
        double[] topology = new double[n];
        double[] raw = new double[n];
        double[] pack = new double[n];
        boolean[] fits = new boolean[n];
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        java.util.Map<Object, Parts> byShape = new java.util.IdentityHashMap<>();
        long epoch = policy.scoreEpoch();
        if (epoch != knownEpoch) {
            known.clear();
            knownEpoch = epoch;
        }
        for (int i = 0; i < n; i++) {
            if (nodes.get(i).isEmpty()) {
                continue;
            }
            NodeView view = nodes.get(i).get();
            Object shape = shapes.get(i);
            Parts parts = shape == null ? parts(view, pod) : byShape.computeIfAbsent(shape, k -> known(epoch, k, view, pod));
            if (!parts.fits()) {
                continue;
            }
            fits[i] = true;
            topology[i] = parts.topology();
            raw[i] = parts.raw();
            pack[i] = parts.pack();
            min = Math.min(min, raw[i]);
            max = Math.max(max, raw[i]);
        }
        double total = weights.topology() + weights.fragmentation() + weights.packing();
        for (int i = 0; i < n; i++) {
            if (!fits[i]) {
                out.add(new HostScore(names.get(i), 0));
                continue;
            }
            double fragmentation = max - min < 1e-12 ? 1.0 : (raw[i] - min) / (max - min);
            double sum = (weights.topology() * clamp(topology[i]) + weights.fragmentation() * fragmentation
                    + weights.packing() * clamp(pack[i])) / total;
            out.add(new HostScore(names.get(i), (int) Math.max(0, Math.min(MAX_SCORE, Math.round(sum * MAX_SCORE)))));
        }
        return out;
    }

    /**
     * A shape's values, kept across requests while the policy's epoch stays {@code epoch}: a policy that says its answers
     * hold within an epoch answers the same for every node of one shape and every pod of one demand. A value computed
     * while the epoch moved is not kept (the epoch is part of the key, and checked again after computing).
     */
    private Parts known(long epoch, Object shape, NodeView view, PodDemand pod) {
        if (epoch == PlacementFeedback.NO_EPOCH) {
            return parts(view, pod);
        }
        PartsKey key = new PartsKey(epoch, shape, pod.cpuMilli(), pod.memoryMib(), pod.containers(), pod.allowedModels());
        Parts parts = known.get(key);
        if (parts == null) {
            parts = parts(view, pod);
            if (policy.scoreEpoch() == epoch) {
                if (known.size() >= MAX_KNOWN) {
                    known.clear();
                }
                known.put(key, parts);
            }
        }
        return parts;
    }

    private Parts parts(NodeView view, PodDemand pod) {
        Optional<PlacementPolicy.ScoredAssignment> placed = policy.place(view, pod);
        if (placed.isEmpty()) {
            return new Parts(false, 0, 0, 0);
        }
        return new Parts(true, TopologyScorer.score(view, placed.get().assignment()), placed.get().score(),
                packing.score(NodeViews.apply(view, pod, placed.get().assignment())));
    }

    private static double clamp(double v) {
        return Double.isNaN(v) ? 0 : Math.max(0, Math.min(1, v));
    }
}
