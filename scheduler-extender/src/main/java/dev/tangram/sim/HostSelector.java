package dev.tangram.sim;

import java.util.SplittableRandom;

/**
 * Picks the node with the highest score, uniformly at random among equal scores, as kube-scheduler does. Feed it every
 * feasible node of one pod with {@link #offer}, then read {@link #chosen}; {@link #reset} before the next pod.
 */
final class HostSelector {
    private final SplittableRandom random;
    private double best;
    private int ties;
    private int chosen;

    HostSelector(long seed) {
        this.random = new SplittableRandom(seed);
        reset();
    }

    void reset() {
        best = Double.NEGATIVE_INFINITY;
        ties = 0;
        chosen = -1;
    }

    /** Returns true when {@code node} is now the chosen one. */
    boolean offer(int node, double score) {
        if (score > best) {
            best = score;
            ties = 1;
            chosen = node;
            return true;
        }
        if (score == best) {
            ties++;
            if (random.nextInt(ties) == 0) {
                chosen = node;
                return true;
            }
        }
        return false;
    }

    int chosen() {
        return chosen;
    }
}
