package dev.tangram.core.placement.topology;

import dev.tangram.core.model.Link;
import dev.tangram.core.placement.Assignment;
import dev.tangram.core.placement.GpuView;
import dev.tangram.core.placement.NodeView;

import java.util.List;

/**
 * How well connected the GPUs given to a pod are, in 0..1. Per container: the mean quality of every GPU pair (NVLink
 * first, more links better; then the PCIe path: same board, one switch, several switches, host bridge, same NUMA, across
 * CPUs) weighted 85 %, plus 15 % when all its GPUs sit on one NUMA node. A container on one GPU (or a slice of one) is
 * perfectly connected. The pod's score is the mean over its containers; a pod without GPUs scores 1.
 */
public final class TopologyScorer {
    /** NVLink pairs score from this floor up to 1 at {@link #FULL_NVLINKS} links. */
    static final double NVLINK_FLOOR = 0.6;
    static final int FULL_NVLINKS = 18;
    static final double LINK_WEIGHT = 0.85;

    private TopologyScorer() {
    }

    /** Quality of one GPU pair: NVLink 0.6..1 by link count, PCIe 0.1..0.6 by path (PCIe never beats NVLink). */
    public static double pairQuality(Link link) {
        if (link.nvlinks() > 0) {
            return NVLINK_FLOOR + (1 - NVLINK_FLOOR) * Math.min(link.nvlinks(), FULL_NVLINKS) / FULL_NVLINKS;
        }
        return switch (link.pcie()) {
            case SAME_BOARD -> 0.6;
            case SINGLE_SWITCH -> 0.5;
            case MULTIPLE_SWITCHES -> 0.4;
            case HOST_BRIDGE -> 0.3;
            case SAME_NUMA -> 0.2;
            case CROSS_CPU -> 0.1;
        };
    }

    /** Score of one set of GPU positions on {@code node}. */
    public static double setScore(NodeView node, List<Integer> positions) {
        if (positions.size() < 2) {
            return 1.0;
        }
        double links = 0;
        int pairs = 0;
        boolean haveMatrix = node.links().size() == node.gpus().size() && node.links().size() > 0;
        for (int a = 0; a < positions.size(); a++) {
            for (int b = a + 1; b < positions.size(); b++) {
                links += haveMatrix ? pairQuality(node.links().link(positions.get(a), positions.get(b))) : 0.1;
                pairs++;
            }
        }
        return LINK_WEIGHT * (links / pairs) + (1 - LINK_WEIGHT) * (oneNuma(node, positions) ? 1 : 0);
    }

    static boolean oneNuma(NodeView node, List<Integer> positions) {
        int numa = node.gpus().get(positions.getFirst()).numaNode();
        if (numa < 0) {
            return false;
        }
        for (int p : positions) {
            GpuView g = node.gpus().get(p);
            if (g.numaNode() != numa) {
                return false;
            }
        }
        return true;
    }

    /** Mean of {@link #setScore} over the assignment's containers; 1 when it holds none. */
    public static double score(NodeView node, Assignment assignment) {
        if (assignment.containers().isEmpty()) {
            return 1.0;
        }
        double sum = 0;
        for (Assignment.ContainerAssignment c : assignment.containers()) {
            sum += setScore(node, c.gpuPositions());
        }
        return sum / assignment.containers().size();
    }
}
