package dev.tangram.extender.placement;

import dev.tangram.core.placement.Assignment;
import dev.tangram.core.placement.ContainerDemand;
import dev.tangram.core.placement.DeviceCandidates;
import dev.tangram.core.placement.NodeView;
import dev.tangram.core.placement.NodeViews;
import dev.tangram.core.placement.PlacementPolicy;
import dev.tangram.core.placement.PodDemand;
import dev.tangram.core.placement.topology.TopologyScorer;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The extender's {@code bestfit} policy until the fragmentation policies land in gpu-core: per container, the device set
 * that leaves the least free capacity on the GPUs it touches (shares fill a GPU before opening another), ties to the
 * best-connected set; the score is how full the node is after the placement, 0..1 (tightest node first).
 */
public final class BestFitPolicy implements PlacementPolicy {
    public static final String NAME = "bestfit";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Optional<ScoredAssignment> place(NodeView node, PodDemand pod) {
        if (pod.cpuMilli() > node.cpuMilliFree() || pod.memoryMib() > node.memoryMibFree()) {
            return Optional.empty();
        }
        NodeView view = node;
        List<Assignment.ContainerAssignment> chosen = new ArrayList<>();
        for (ContainerDemand c : pod.containers()) {
            List<Assignment.ContainerAssignment> options = DeviceCandidates.of(view, pod, c);
            if (options.isEmpty()) {
                return Optional.empty();
            }
            NodeView current = view;
            Comparator<Assignment.ContainerAssignment> byLeftover = Comparator.comparingInt(
                    o -> o.gpuPositions().stream().mapToInt(p -> current.gpus().get(p).freeMilli()).sum() - o.milliPerGpu() * o.gpuPositions().size());
            Comparator<Assignment.ContainerAssignment> byTopology = Comparator.comparingDouble(
                    (Assignment.ContainerAssignment o) -> TopologyScorer.setScore(current, o.gpuPositions())).reversed();
            Assignment.ContainerAssignment pick = options.stream().min(byLeftover.thenComparing(byTopology)).orElseThrow();
            chosen.add(pick);
            PodDemand one = new PodDemand(pod.key(), 0, 0, List.of(c), pod.allowedModels());
            view = NodeViews.apply(view, one, new Assignment(node.name(), List.of(pick)));
        }
        return Optional.of(new ScoredAssignment(new Assignment(node.name(), chosen), PackingScorer.usedFraction(view)));
    }
}
