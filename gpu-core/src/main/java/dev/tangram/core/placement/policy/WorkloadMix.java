package dev.tangram.core.placement.policy;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A target workload: task shapes and how likely the next task has each shape (probabilities summing to 1). This is the
 * "typical pods" of the FGD paper.
 */
public record WorkloadMix(List<Entry> entries) {
    /** The share of tasks, by count, that the most popular shapes cover before the rest are dropped (the paper's 95 %). */
    public static final double DEFAULT_COVERAGE = 0.95;

    public WorkloadMix {
        entries = List.copyOf(entries);
        double sum = 0;
        for (Entry e : entries) {
            sum += e.probability();
        }
        if (!entries.isEmpty() && Math.abs(sum - 1) > 1e-6) {
            throw new IllegalArgumentException("workload probabilities sum to " + sum + ", not 1");
        }
    }

    /** One shape and its probability. */
    public record Entry(TaskShape shape, double probability) {
        public Entry {
            Objects.requireNonNull(shape, "shape");
            if (!(probability >= 0 && probability <= 1)) {
                throw new IllegalArgumentException("probability must be in 0..1, got " + probability);
            }
        }
    }

    public static WorkloadMix empty() {
        return new WorkloadMix(List.of());
    }

    /**
     * From weights per shape (task counts, or decayed counts): the most popular shapes, in decreasing weight (ties by
     * shape size), until they cover {@code coverage} of the total weight; their probabilities renormalised to 1.
     */
    public static WorkloadMix fromWeights(Map<TaskShape, Double> weights, double coverage) {
        if (!(coverage > 0 && coverage <= 1)) {
            throw new IllegalArgumentException("coverage must be in (0, 1], got " + coverage);
        }
        List<Map.Entry<TaskShape, Double>> sorted = new ArrayList<>(weights.entrySet());
        sorted.removeIf(e -> !(e.getValue() > 0));
        double total = sorted.stream().mapToDouble(Map.Entry::getValue).sum();
        if (sorted.isEmpty() || total <= 0) {
            return empty();
        }
        Comparator<Map.Entry<TaskShape, Double>> byWeight = Comparator.comparingDouble(Map.Entry::getValue);
        Comparator<Map.Entry<TaskShape, Double>> byShape = Comparator
                .comparingLong((Map.Entry<TaskShape, Double> e) -> e.getKey().cpuMilli())
                .thenComparingInt(e -> e.getKey().gpuMilli())
                .thenComparingInt(e -> e.getKey().gpuCount())
                .thenComparingLong(e -> e.getKey().memoryMib())
                .thenComparing(e -> String.join("|", e.getKey().models().stream().sorted().toList()));
        sorted.sort(byWeight.thenComparing(byShape).reversed());
        List<Map.Entry<TaskShape, Double>> kept = new ArrayList<>();
        double covered = 0;
        for (Map.Entry<TaskShape, Double> e : sorted) {
            if (covered >= coverage * total) {
                break;
            }
            kept.add(e);
            covered += e.getValue();
        }
        List<Entry> out = new ArrayList<>(kept.size());
        double c = covered;
        for (Map.Entry<TaskShape, Double> e : kept) {
            out.add(new Entry(e.getKey(), e.getValue() / c));
        }
        return new WorkloadMix(normalised(out));
    }

    private static List<Entry> normalised(List<Entry> entries) {
        double sum = entries.stream().mapToDouble(Entry::probability).sum();
        return entries.stream().map(e -> new Entry(e.shape(), Math.min(1, e.probability() / sum))).toList();
    }

    public boolean isEmpty() {
        return entries.isEmpty();
    }

    public int size() {
        return entries.size();
    }
}
