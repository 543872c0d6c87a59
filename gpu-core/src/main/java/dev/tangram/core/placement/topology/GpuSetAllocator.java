package dev.tangram.core.placement.topology;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Picks the topology-best set of whole GPUs: the set of the requested size, holding every required GPU, with the highest
 * {@link TopologyScorer} score (NVLink bandwidth first, then PCIe closeness, which ranks same switch above same NUMA node
 * above across CPUs). Ties go to the lowest positions, so the answer is deterministic. Small candidate sets are searched
 * exhaustively; beyond {@link #EXHAUSTIVE_LIMIT} combinations a greedy growth from each seed is used instead.
 */
public final class GpuSetAllocator {
    /** Above this many candidate sets the search turns greedy. */
    public static final long EXHAUSTIVE_LIMIT = 50_000;

    private final TopologyScorer scorer;

    public GpuSetAllocator(TopologyScorer scorer) {
        this.scorer = scorer;
    }

    /**
     * @param available positions (in the link matrix) that may be chosen
     * @param required  positions that must be in the answer (a subset of {@code available})
     * @param size      how many to choose
     * @return the chosen positions in ascending order, or empty when {@code size} cannot be met
     */
    public Optional<int[]> choose(Set<Integer> available, Set<Integer> required, int size) {
        Set<Integer> pool = new LinkedHashSet<>(available);
        pool.addAll(required);
        if (size < required.size() || size > pool.size() || size <= 0) {
            return Optional.empty();
        }
        for (int p : pool) {
            if (p < 0 || p >= scorer.size()) {
                throw new IllegalArgumentException("GPU position " + p + " is outside the link matrix of " + scorer.size());
            }
        }
        int[] fixed = required.stream().mapToInt(Integer::intValue).sorted().toArray();
        int[] free = pool.stream().filter(p -> !required.contains(p)).mapToInt(Integer::intValue).sorted().toArray();
        int toPick = size - fixed.length;
        int[] best;
        if (combinations(free.length, toPick) <= EXHAUSTIVE_LIMIT) {
            best = exhaustive(fixed, free, toPick);
        } else {
            best = greedy(fixed, free, toPick);
        }
        Arrays.sort(best);
        return Optional.of(best);
    }

    private int[] exhaustive(int[] fixed, int[] free, int toPick) {
        int[] current = Arrays.copyOf(fixed, fixed.length + toPick);
        long[] bestScore = {Long.MIN_VALUE};
        int[][] holder = {null};
        search(free, 0, toPick, current, fixed.length, bestScore, holder);
        return holder[0];
    }

    private void search(int[] free, int from, int left, int[] current, int filled, long[] bestScore, int[][] holder) {
        if (left == 0) {
            long s = scorer.score(current);
            if (s > bestScore[0]) {
                bestScore[0] = s;
                holder[0] = current.clone();
            }
            return;
        }
        for (int i = from; i <= free.length - left; i++) {
            current[filled] = free[i];
            search(free, i + 1, left - 1, current, filled + 1, bestScore, holder);
        }
    }

    private int[] greedy(int[] fixed, int[] free, int toPick) {
        int[] best = null;
        long bestScore = Long.MIN_VALUE;
        int seeds = fixed.length > 0 ? 1 : free.length;
        for (int s = 0; s < seeds; s++) {
            List<Integer> chosen = new ArrayList<>();
            for (int f : fixed) {
                chosen.add(f);
            }
            List<Integer> rest = new ArrayList<>();
            for (int f : free) {
                rest.add(f);
            }
            int picks = toPick;
            if (fixed.length == 0) {
                chosen.add(rest.remove(s));
                picks--;
            }
            while (picks-- > 0) {
                int bestIdx = 0;
                long bestGain = Long.MIN_VALUE;
                for (int r = 0; r < rest.size(); r++) {
                    long gain = 0;
                    for (int c : chosen) {
                        gain += scorer.pair(c, rest.get(r));
                    }
                    if (gain > bestGain) {
                        bestGain = gain;
                        bestIdx = r;
                    }
                }
                chosen.add(rest.remove(bestIdx));
            }
            int[] set = chosen.stream().mapToInt(Integer::intValue).toArray();
            long score = scorer.score(set);
            if (score > bestScore) {
                bestScore = score;
                best = set;
            }
        }
        return best;
    }

    static long combinations(int n, int k) {
        if (k < 0 || k > n) {
            return 0;
        }
        long c = 1;
        for (int i = 1; i <= k; i++) {
            c = c * (n - k + i) / i;
            if (c > EXHAUSTIVE_LIMIT) {
                return c;
            }
        }
        return c;
    }
}
