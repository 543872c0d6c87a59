package dev.tangram.sim;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

/**
 * The arrival order of one simulated run, as the FGD paper builds it: pods sorted by name, shuffled with the seed, then
 * padded with pods drawn uniformly with replacement from the sorted list until total GPU demand reaches {@code tune}
 * times the cluster's capacity (the first draw that would pass it ends the padding).
 */
public final class Arrivals {
    private Arrivals() {
    }

    public static List<SimPod> of(List<SimPod> pods, long seed, double tune, long capacityMilli) {
        if (pods.isEmpty()) {
            throw new IllegalArgumentException("the pod list is empty");
        }
        if (!(tune >= 0)) {
            throw new IllegalArgumentException("tune must not be negative, got " + tune);
        }
        List<SimPod> sorted = new ArrayList<>(pods);
        sorted.sort(Comparator.comparing(SimPod::name));
        Random random = new Random(seed);
        List<SimPod> order = new ArrayList<>(sorted);
        java.util.Collections.shuffle(order, random);
        long demand = order.stream().mapToLong(SimPod::gpuMilli).sum();
        double target = tune * capacityMilli;
        if (tune <= 0 || demand >= target || sorted.stream().allMatch(p -> p.gpuMilli() == 0)) {
            return order;
        }
        for (int i = 0; ; i++) {
            SimPod drawn = sorted.get(random.nextInt(sorted.size()));
            if (demand + drawn.gpuMilli() > target) {
                break;
            }
            demand += drawn.gpuMilli();
            order.add(drawn.renamed(drawn.name() + "-tuned-" + i));
        }
        return order;
    }
}
