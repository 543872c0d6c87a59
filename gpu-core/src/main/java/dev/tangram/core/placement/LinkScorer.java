package dev.tangram.core.placement;

import dev.tangram.core.model.Link;
import dev.tangram.core.model.LinkMatrix;

import java.util.List;

/**
 * Scores how well a set of GPUs is connected: the sum over pairs of a link score, NVLink first (100 per link), then the
 * PCIe relation (same board 60, one switch 50, several switches 40, host bridge 30, same NUMA 20, cross-CPU 10). These are
 * the pair weights GPU allocators have long used; a bigger sum means more bandwidth among the chosen GPUs.
 */
public final class LinkScorer {
    private LinkScorer() {
    }

    public static int pairScore(Link link) {
        int pcie = switch (link.pcie()) {
            case SAME_BOARD -> 60;
            case SINGLE_SWITCH -> 50;
            case MULTIPLE_SWITCHES -> 40;
            case HOST_BRIDGE -> 30;
            case SAME_NUMA -> 20;
            case CROSS_CPU -> 10;
        };
        return link.nvlinks() > 0 ? 100 * link.nvlinks() : pcie;
    }

    /** Sum of pair scores of the GPUs at {@code positions}; 0 for fewer than two GPUs or an empty matrix. */
    public static long setScore(LinkMatrix links, List<Integer> positions) {
        if (links.size() == 0) {
            return 0;
        }
        long sum = 0;
        for (int a = 0; a < positions.size(); a++) {
            for (int b = a + 1; b < positions.size(); b++) {
                sum += pairScore(links.link(positions.get(a), positions.get(b)));
            }
        }
        return sum;
    }

    /** The best possible set score for {@code n} GPUs on a fully NV18-connected node, used to normalise to 0..1. */
    public static long idealScore(int n) {
        return (long) n * (n - 1) / 2 * 1800;
    }
}
