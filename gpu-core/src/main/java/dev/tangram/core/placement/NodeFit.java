package dev.tangram.core.placement;

import dev.tangram.core.placement.topology.TopologyScorer;

import java.util.ArrayList;
import java.util.List;

/**
 * Whether a pod fits a node, and why not: real devices must meet every container's demand (N whole healthy free GPUs, a
 * MIG device of the profile, replicas on one GPU, a GPU fraction), plus CPU, memory and the allowed GPU models. Containers
 * are served in order, each from what the previous ones left. The devices in a {@link FitResult.Fits} are a sensible
 * default choice (best-connected whole sets, tightest fractions); policies choose their own among
 * {@link DeviceCandidates}.
 */
public final class NodeFit {
    private NodeFit() {
    }

    public static FitResult check(NodeView node, PodDemand pod) {
        if (pod.cpuMilli() > node.cpuMilliCapacity()) {
            return new FitResult.Unresolvable("node has " + node.cpuMilliCapacity() + "m CPU in all, pod needs " + pod.cpuMilli() + "m");
        }
        if (pod.memoryMib() > node.memoryMibCapacity()) {
            return new FitResult.Unresolvable("node has " + node.memoryMibCapacity() + " MiB memory in all, pod needs " + pod.memoryMib() + " MiB");
        }
        if (pod.needsGpu() && DeviceCandidates.eligible(node, pod).isEmpty()) {
            boolean anyModel = node.gpus().stream().anyMatch(g -> pod.acceptsModel(g.model()));
            return new FitResult.Unresolvable(node.gpus().isEmpty() ? "node has no GPU"
                    : anyModel ? "every GPU on the node is unhealthy" : "no GPU of an allowed model " + pod.allowedModels());
        }
        if (pod.cpuMilli() > node.cpuMilliFree()) {
            return new FitResult.Unschedulable("insufficient CPU: " + node.cpuMilliFree() + "m free, pod needs " + pod.cpuMilli() + "m");
        }
        if (pod.memoryMib() > node.memoryMibFree()) {
            return new FitResult.Unschedulable("insufficient memory: " + node.memoryMibFree() + " MiB free, pod needs " + pod.memoryMib() + " MiB");
        }
        NodeView view = node;
        List<Assignment.ContainerAssignment> chosen = new ArrayList<>();
        for (ContainerDemand c : pod.containers()) {
            List<Assignment.ContainerAssignment> options = DeviceCandidates.of(view, pod, c);
            if (options.isEmpty()) {
                return whyNot(node, pod, c);
            }
            Assignment.ContainerAssignment pick = defaultChoice(view, options);
            chosen.add(pick);
            if (chosen.size() < pod.containers().size()) { // the next container is served from what this one left
                PodDemand one = new PodDemand(pod.key(), 0, 0, List.of(c), pod.allowedModels());
                view = NodeViews.apply(view, one, new Assignment(node.name(), List.of(pick)));
            }
        }
        return new FitResult.Fits(new Assignment(node.name(), chosen));
    }

    /** Best-connected set by {@link TopologyScorer} (ties: least free capacity touched, then lowest positions). */
    static Assignment.ContainerAssignment defaultChoice(NodeView node, List<Assignment.ContainerAssignment> options) {
        // One pass, each option's keys computed once (this runs for every node of every pod): first best wins ties.
        TopologyScorer scorer = TopologyScorer.of(node);
        Assignment.ContainerAssignment best = null;
        long bestLinks = Long.MIN_VALUE;
        int bestFree = Integer.MAX_VALUE;
        for (Assignment.ContainerAssignment o : options) {
            long links = scorer.score(o.gpuPositions());
            int free = 0;
            for (int p : o.gpuPositions()) {
                free += node.gpus().get(p).freeMilli();
            }
            if (best == null || links > bestLinks || (links == bestLinks && free < bestFree)) {
                best = o;
                bestLinks = links;
                bestFree = free;
            }
        }
        if (best == null) {
            throw new java.util.NoSuchElementException("no options");
        }
        return best;
    }

    private static FitResult whyNot(NodeView node, PodDemand pod, ContainerDemand c) {
        List<GpuView> eligible = DeviceCandidates.eligible(node, pod);
        return switch (c.demand()) {
            case GpuDemand.WholeGpus w -> {
                long usable = eligible.stream().filter(g -> !g.migEnabled() && !g.shared()).count();
                long free = eligible.stream().filter(GpuView::wholeFree).count();
                String msg = "container " + c.container() + " needs " + w.count() + " whole GPUs, " + free + " free";
                yield usable < w.count() ? new FitResult.Unresolvable(msg + " and " + usable + " in all") : new FitResult.Unschedulable(msg);
            }
            case GpuDemand.GpuFraction f -> {
                int best = eligible.stream().filter(g -> !g.migEnabled()).mapToInt(GpuView::freeMilli).max().orElse(-1);
                yield best < 0 ? new FitResult.Unresolvable("container " + c.container() + " needs part of a GPU; every GPU is in MIG mode")
                        : new FitResult.Unschedulable("container " + c.container() + " needs " + f.milli()
                        + " milli of one GPU, the freest GPU has " + best);
            }
            case GpuDemand.SharedReplicas r -> {
                int most = eligible.stream().filter(GpuView::shared).mapToInt(GpuView::replicas).max().orElse(0);
                int freeMost = eligible.stream().filter(GpuView::shared).mapToInt(g -> g.freeReplicaIds().size()).max().orElse(0);
                String msg = "container " + c.container() + " needs " + r.count() + " replicas on one GPU, at most " + freeMost + " free";
                yield most < r.count() ? new FitResult.Unresolvable(most == 0 ? "node has no shared GPU" : msg + " and " + most + " per GPU")
                        : new FitResult.Unschedulable(msg);
            }
            case GpuDemand.MigDevices m -> {
                long free = eligible.stream().flatMap(g -> g.freeMigDevices().stream()).filter(d -> d.profile().equals(m.profile())).count();
                yield new FitResult.Unschedulable("container " + c.container() + " needs " + m.count() + " MIG " + m.profile()
                        + " devices, " + free + " free");
            }
        };
    }
}
