package dev.tangram.core.placement.topology;

import dev.tangram.core.placement.Assignment;
import dev.tangram.core.placement.ContainerDemand;
import dev.tangram.core.placement.DeviceCandidates;
import dev.tangram.core.placement.NodeView;
import dev.tangram.core.placement.NodeViews;
import dev.tangram.core.placement.PlacementPolicy;
import dev.tangram.core.placement.PodDemand;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The {@code topology} policy: for each container, the best-connected device set on the node ({@link TopologyScorer}'s
 * summed pair score: NVLink bandwidth first, then same switch, then same NUMA node; for whole GPUs this is the set
 * {@link GpuSetAllocator} picks, the device plugin's choice); ties go to the set that leaves the least
 * free capacity on the GPUs it touches (so shares fill a GPU before opening the next), then to the lowest positions. The
 * score is the pod's topology score, 0..1, comparable across nodes.
 */
public final class TopologyPolicy implements PlacementPolicy {
    public static final String NAME = "topology";

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
            Assignment.ContainerAssignment pick = best(view, options);
            chosen.add(pick);
            PodDemand one = new PodDemand(pod.key(), 0, 0, List.of(c), pod.allowedModels());
            view = NodeViews.apply(view, one, new Assignment(node.name(), List.of(pick)));
        }
        Assignment assignment = new Assignment(node.name(), chosen);
        return Optional.of(new ScoredAssignment(assignment, TopologyScorer.score(node, assignment)));
    }

    static Assignment.ContainerAssignment best(NodeView view, List<Assignment.ContainerAssignment> options) {
        TopologyScorer scorer = TopologyScorer.of(view);
        Comparator<Assignment.ContainerAssignment> byTopology = Comparator.comparingLong(
                (Assignment.ContainerAssignment o) -> scorer.score(o.gpuPositions())).reversed();
        Comparator<Assignment.ContainerAssignment> byLeftover = Comparator.comparingInt(
                o -> o.gpuPositions().stream().mapToInt(p -> view.gpus().get(p).freeMilli()).sum() - o.milliPerGpu() * o.gpuPositions().size());
        return options.stream().min(byTopology.thenComparing(byLeftover)).orElseThrow();
    }
}
