package dev.tangram.core.placement.policy;

import dev.tangram.core.placement.Assignment;
import dev.tangram.core.placement.ContainerDemand;
import dev.tangram.core.placement.DeviceCandidates;
import dev.tangram.core.placement.FitResult;
import dev.tangram.core.placement.GpuDemand;
import dev.tangram.core.placement.GpuView;
import dev.tangram.core.placement.NodeFit;
import dev.tangram.core.placement.NodeView;
import dev.tangram.core.placement.PlacementPolicy;
import dev.tangram.core.placement.PodDemand;

import java.util.List;
import java.util.Optional;

/**
 * The common frame of the policies here: {@link NodeFit} decides whether the pod fits at all and proposes default devices
 * (best-connected whole GPUs, MIG devices, replicas); for a pod that asks for a fraction of one GPU the policy picks the GPU
 * among {@link DeviceCandidates}; then it scores the node. Scores follow kube-scheduler's convention: higher is better, and
 * where the paper's simulator truncates scores to integers, so do these (ties are the host selector's to break).
 */
abstract class ScoringPolicy implements PlacementPolicy {
    /** The CPU and GPU of the largest node the paper's simulator normalises by: 128 cores, 8 GPUs. */
    static final double MAX_SPEC_CPU_MILLI = 128_000;
    static final double MAX_SPEC_GPU_MILLI = 8_000;

    @Override
    public final Optional<ScoredAssignment> place(NodeView node, PodDemand pod) {
        if (!(NodeFit.check(node, pod) instanceof FitResult.Fits fits)) {
            return Optional.empty();
        }
        Assignment a = fits.assignment();
        if (pod.containers().size() == 1 && pod.containers().getFirst().demand() instanceof GpuDemand.GpuFraction f) {
            ContainerDemand c = pod.containers().getFirst();
            List<Assignment.ContainerAssignment> options = DeviceCandidates.of(node, pod, c);
            return Optional.of(chooseFraction(node, pod, f.milli(), options));
        }
        return Optional.of(new ScoredAssignment(a, score(node, pod, a)));
    }

    /** Picks the GPU for a fractional pod among {@code options} (never empty) and scores the node. */
    protected ScoredAssignment chooseFraction(NodeView node, PodDemand pod, int milli, List<Assignment.ContainerAssignment> options) {
        Assignment.ContainerAssignment best = tightest(node, options);
        Assignment a = new Assignment(node.name(), List.of(best));
        return new ScoredAssignment(a, score(node, pod, a));
    }

    /** The node's score for {@code assignment}. */
    protected abstract double score(NodeView node, PodDemand pod, Assignment assignment);

    /** The option on the GPU with the least free capacity; the lowest position among equals (the paper's "best" GPU). */
    static Assignment.ContainerAssignment tightest(NodeView node, List<Assignment.ContainerAssignment> options) {
        Assignment.ContainerAssignment best = options.getFirst();
        int bestFree = freeOf(node, best);
        for (Assignment.ContainerAssignment o : options) {
            int free = freeOf(node, o);
            if (free < bestFree) {
                best = o;
                bestFree = free;
            }
        }
        return best;
    }

    static int freeOf(NodeView node, Assignment.ContainerAssignment o) {
        return node.gpus().get(o.gpuPositions().getFirst()).freeMilli();
    }

    /** Thousandths of a GPU the assignment takes: fractions and whole GPUs as asked, replicas by share, MIG by slices. */
    static long gpuMilli(NodeView node, Assignment assignment) {
        long total = 0;
        for (Assignment.ContainerAssignment c : assignment.containers()) {
            if (c.milliPerGpu() > 0) {
                total += (long) c.milliPerGpu() * c.gpuPositions().size();
                continue;
            }
            for (int p : c.gpuPositions()) {
                for (GpuView.FreeMigDevice d : node.gpus().get(p).freeMigDevices()) {
                    if (c.deviceIds().contains(d.uuid())) {
                        total += d.placementSize() * 1000L / 8;
                    }
                }
            }
        }
        return total;
    }

    /** Free CPU as a share of the paper's largest node; 0 where CPU is left to kube-scheduler (unknown). */
    static double cpuTerm(NodeView node, long cpuMilli) {
        if (node.cpuMilliFree() == Long.MAX_VALUE) {
            return Double.NaN;
        }
        return (node.cpuMilliFree() - cpuMilli) / MAX_SPEC_CPU_MILLI;
    }
}
