package dev.tangram.sim;

import dev.tangram.core.placement.GpuDemand;
import dev.tangram.core.placement.GpuView;
import dev.tangram.core.placement.NodeView;
import dev.tangram.core.placement.NodeViews;
import dev.tangram.core.placement.PlacementPolicy;
import dev.tangram.core.placement.PodDemand;
import dev.tangram.core.placement.policy.FragmentationMeasure;
import dev.tangram.core.placement.policy.PlacementFeedback;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.IntConsumer;

/**
 * Replays arrivals through one policy on an in-memory cluster, the way the extender places pods: every node the pod could
 * fit is asked {@link PlacementPolicy#place} (which checks {@code NodeFit} itself), the best score wins with random
 * tie-breaking, and the node becomes {@link NodeViews#apply}. Each pod is placed once, in order, with no departures; a pod
 * that fits nowhere fails and its demand still counts as arrived.
 *
 * <p>Before asking the policy, a node is skipped when a cheap necessary condition already rules it out (free CPU or memory
 * below the request, the freest GPU too small for a fraction, too few whole free GPUs, no accepted model); the policy and
 * NodeFit have the last word on every node that passes.
 */
public final class Replay {
    private final List<SimNode> nodes;
    private final FragmentationMeasure reference;

    /**
     * @param nodes     the cluster
     * @param reference the workload fragmentation is reported against (the same for every policy)
     */
    public Replay(List<SimNode> nodes, FragmentationMeasure reference) {
        this.nodes = List.copyOf(nodes);
        this.reference = reference;
    }

    public long capacityMilli() {
        return nodes.stream().mapToLong(SimNode::gpuMilli).sum();
    }

    public RunResult run(String policyName, PlacementPolicy policy, long seed, List<SimPod> arrivals, IntConsumer progress) {
        int n = nodes.size();
        NodeView[] views = new NodeView[n];
        double[] frag = new double[n];
        double fragTotal = 0;
        for (int i = 0; i < n; i++) {
            views[i] = nodes.get(i).emptyView();
            frag[i] = reference.of(views[i]);
            fragTotal += frag[i];
        }
        long capacity = capacityMilli();
        int maxPct = (int) Math.ceil(arrivals.stream().mapToLong(SimPod::gpuMilli).sum() * 100.0 / Math.max(1, capacity)) + 1;
        double[] alloc = new double[Math.max(maxPct, 1) + 1];
        double[] fragPct = new double[alloc.length];
        Arrays.fill(alloc, Double.NaN);
        Arrays.fill(fragPct, Double.NaN);
        alloc[0] = 0;
        fragPct[0] = 100.0 * fragTotal / capacity;
        int nextPct = 1;
        PlacementFeedback feedback = policy instanceof PlacementFeedback f ? f : null;
        HostSelector selector = new HostSelector(seed * 0x9E3779B97F4A7C15L + 1);
        long arrived = 0;
        long allocated = 0;
        int failed = 0;
        int failedGpu = 0;
        int done = 0;
        for (SimPod pod : arrivals) {
            PodDemand demand = pod.demand();
            if (feedback != null) {
                feedback.arrived(demand);
            }
            selector.reset();
            PlacementPolicy.ScoredAssignment chosen = null;
            for (int i = 0; i < n; i++) {
                if (!mayFit(views[i], demand)) {
                    continue;
                }
                Optional<PlacementPolicy.ScoredAssignment> s = policy.place(views[i], demand);
                if (s.isPresent() && selector.offer(i, s.get().score())) {
                    chosen = s.get();
                }
            }
            arrived += pod.gpuMilli();
            if (chosen == null) {
                failed++;
                if (pod.needsGpu()) {
                    failedGpu++;
                }
            } else {
                int i = selector.chosen();
                views[i] = NodeViews.apply(views[i], demand, chosen.assignment());
                allocated += pod.gpuMilli();
                fragTotal -= frag[i];
                frag[i] = reference.of(views[i]);
                fragTotal += frag[i];
                if (feedback != null) {
                    feedback.bound(demand, chosen.assignment());
                }
            }
            while (nextPct < alloc.length && arrived * 100 >= (long) nextPct * capacity) {
                alloc[nextPct] = 100.0 * allocated / capacity;
                fragPct[nextPct] = 100.0 * fragTotal / capacity;
                nextPct++;
            }
            if (++done % 64 == 0) {
                progress.accept(64);
            }
        }
        progress.accept(done % 64);
        int[][] finalFree = new int[n][];
        String[] names = new String[n];
        for (int i = 0; i < n; i++) {
            names[i] = views[i].name();
            finalFree[i] = views[i].gpus().stream().mapToInt(GpuView::freeMilli).toArray();
        }
        return new RunResult(policyName, seed, capacity, Arrays.copyOf(alloc, nextPct), Arrays.copyOf(fragPct, nextPct),
                100.0 * allocated / capacity, arrivals.size(),
                failed, failedGpu, finalFree, names);
    }

    /** A necessary condition for the pod to fit; NodeFit decides for nodes that pass. Loops, not streams: it runs per node per pod. */
    static boolean mayFit(NodeView node, PodDemand pod) {
        if (pod.cpuMilli() > node.cpuMilliFree() || pod.memoryMib() > node.memoryMibFree()) {
            return false;
        }
        if (!pod.needsGpu()) {
            return true;
        }
        boolean modelOk = false;
        int maxFree = -1;
        int wholeFree = 0;
        for (GpuView g : node.gpus()) {
            if (!g.healthy() || !pod.acceptsModel(g.model())) {
                continue;
            }
            modelOk = true;
            if (!g.migEnabled()) {
                maxFree = Math.max(maxFree, g.freeMilli());
            }
            if (g.wholeFree()) {
                wholeFree++;
            }
        }
        if (!modelOk) {
            return false;
        }
        if (pod.containers().size() != 1) {
            return true;
        }
        return switch (pod.containers().getFirst().demand()) {
            case GpuDemand.GpuFraction f -> maxFree >= f.milli();
            case GpuDemand.WholeGpus w -> wholeFree >= w.count();
            default -> true;
        };
    }
}
