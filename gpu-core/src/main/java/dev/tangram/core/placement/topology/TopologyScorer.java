package dev.tangram.core.placement.topology;

import dev.tangram.core.model.Link;
import dev.tangram.core.model.LinkMatrix;
import dev.tangram.core.model.PcieRelation;
import dev.tangram.core.placement.Assignment;
import dev.tangram.core.placement.NodeView;

import java.util.List;

/**
 * The one topology rule of Tangram: how well a set of GPUs talks to itself. Shared by the extender's {@code topology}
 * policy, {@code NodeFit}'s default choice and the device plugin's GetPreferredAllocation, so they pick the same GPUs.
 * <p>
 * A pair scores {@value #PER_NVLINK} per NVLink between the two GPUs plus the closeness of their PCIe path (same board 60,
 * one switch 50, several switches 40, host bridge 30, same NUMA node 20, across CPUs 10). One NVLink outweighs any PCIe
 * difference, so the order is: NVLink bandwidth first, then same switch, then same NUMA node. A set scores the sum of its
 * pairs. Without a link matrix every pair is alike.
 * <p>
 * For comparing nodes the extender wants 0..1: {@link #quality} is the mean over pairs of {@code min(1, pair / 1800)}
 * (a pair with {@value #FULL_NVLINKS} NVLinks is perfect), and 1 for a set of fewer than two GPUs. The pair table is
 * computed once per instance, so scoring a set costs only additions.
 */
public final class TopologyScorer {
    public static final int PER_NVLINK = 100;
    public static final int FULL_NVLINKS = 18;
    static final double PERFECT_PAIR = (double) PER_NVLINK * FULL_NVLINKS;

    private final int[][] pairScores;

    private TopologyScorer(int[][] pairScores) {
        this.pairScores = pairScores;
    }

    /** The scorer of a node's link matrix (positions as in the matrix). */
    public static TopologyScorer of(LinkMatrix links) {
        int n = links.size();
        int[][] scores = new int[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                scores[i][j] = i == j ? 0 : pairScore(links.link(i, j));
            }
        }
        return new TopologyScorer(scores);
    }

    /**
     * The scorer of a node view: its link matrix when it covers every GPU; without one (trace nodes of the simulator)
     * every pair is alike, so the lowest positions win, as in the FGD paper's simulator.
     */
    public static TopologyScorer of(NodeView node) {
        if (node.links().size() == node.gpus().size()) {
            return of(node.links());
        }
        return of(LinkMatrix.of(node.gpus().size(), (i, j) -> new Link(0, PcieRelation.CROSS_CPU)));
    }

    public static int pairScore(Link link) {
        return PER_NVLINK * link.nvlinks() + pcieScore(link.pcie());
    }

    public static int pcieScore(PcieRelation relation) {
        return switch (relation) {
            case SAME_BOARD -> 60;
            case SINGLE_SWITCH -> 50;
            case MULTIPLE_SWITCHES -> 40;
            case HOST_BRIDGE -> 30;
            case SAME_NUMA -> 20;
            case CROSS_CPU -> 10;
        };
    }

    /** How many GPU positions the scorer knows. */
    public int size() {
        return pairScores.length;
    }

    /** Score of the pair at positions i and j (0 for i == j). */
    public int pair(int i, int j) {
        return pairScores[i][j];
    }

    /** The summed pair score of the GPUs at {@code positions}. */
    public long score(int[] positions) {
        long total = 0;
        for (int a = 0; a < positions.length; a++) {
            for (int b = a + 1; b < positions.length; b++) {
                total += pairScores[positions[a]][positions[b]];
            }
        }
        return total;
    }

    /** The summed pair score of the GPUs at {@code positions}. */
    public long score(List<Integer> positions) {
        return score(positions.stream().mapToInt(Integer::intValue).toArray());
    }

    /** The set's connectivity in 0..1 (see the class comment); 1 for fewer than two GPUs. */
    public double quality(List<Integer> positions) {
        if (positions.size() < 2) {
            return 1.0;
        }
        double sum = 0;
        int pairs = 0;
        for (int a = 0; a < positions.size(); a++) {
            for (int b = a + 1; b < positions.size(); b++) {
                sum += Math.min(1.0, pairScores[positions.get(a)][positions.get(b)] / PERFECT_PAIR);
                pairs++;
            }
        }
        return sum / pairs;
    }

    /** Mean {@link #quality} over the assignment's containers on {@code node}; 1 when it holds none. */
    public static double score(NodeView node, Assignment assignment) {
        if (assignment.containers().isEmpty()) {
            return 1.0;
        }
        TopologyScorer scorer = of(node);
        double sum = 0;
        for (Assignment.ContainerAssignment c : assignment.containers()) {
            sum += scorer.quality(c.gpuPositions());
        }
        return sum / assignment.containers().size();
    }
}
