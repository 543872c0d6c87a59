package dev.tangram.core.allocation;

import dev.tangram.core.model.Link;
import dev.tangram.core.model.LinkMatrix;
import dev.tangram.core.model.PcieRelation;
import dev.tangram.core.placement.LinkScorer;

/**
 * Scores how well a set of GPUs talks to itself. A pair scores 100 per NVLink between them plus the closeness of their
 * PCIe path (same board 60, single switch 50, several switches 40, host bridge 30, same CPU 20, across CPUs 10; the weights
 * are {@link LinkScorer}'s); a set scores the sum of its pairs. The pair table is computed once per inventory, so scoring a set costs only additions.
 */
public final class TopologyScorer {
    private final int[][] pairScores;
    private final int[][] nvlinks;

    private TopologyScorer(int[][] pairScores, int[][] nvlinks) {
        this.pairScores = pairScores;
        this.nvlinks = nvlinks;
    }

    /** Precomputes the pair table of a node's link matrix. */
    public static TopologyScorer of(LinkMatrix links) {
        int n = links.size();
        int[][] scores = new int[n][n];
        int[][] nv = new int[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                if (i != j) {
                    scores[i][j] = pairScore(links.link(i, j));
                    nv[i][j] = links.link(i, j).nvlinks();
                }
            }
        }
        return new TopologyScorer(scores, nv);
    }

    /**
     * The pair score: the weights of {@link LinkScorer} (the extender's), with the PCIe closeness added to NVLinked pairs
     * too, so that among equally NVLinked GPUs (an NVSwitch node) those on one switch or NUMA node still win.
     */
    public static int pairScore(Link link) {
        return link.nvlinks() > 0 ? LinkScorer.pairScore(link) + pcieScore(link.pcie()) : LinkScorer.pairScore(link);
    }

    public static int pcieScore(PcieRelation relation) {
        return LinkScorer.pairScore(new Link(0, relation));
    }

    public int size() {
        return pairScores.length;
    }

    /** Score of the pair at positions i and j (0 for i == j). */
    public int pair(int i, int j) {
        return pairScores[i][j];
    }

    /** NVLinks between positions i and j. */
    public int nvlinks(int i, int j) {
        return nvlinks[i][j];
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
}
