package dev.tangram.core.placement.policy;

import dev.tangram.core.placement.PodDemand;

import java.util.HashMap;
import java.util.Map;

/**
 * The workload fragmentation is measured against, learned online: every arriving pod adds its shape, older arrivals fade
 * with a half-life counted in pods. It can be seeded (from config, or from a whole trace as the FGD paper does) and
 * frozen. Not thread-safe: one per scheduler loop.
 */
public final class TargetWorkload {
    private final Map<TaskShape, Double> weights = new HashMap<>();
    private final double halfLifePods;
    private final double coverage;
    private final boolean frozen;
    private boolean keepMemory = true;
    private double increment = 1;
    private long version;
    private WorkloadMix mix = WorkloadMix.empty();
    private long mixVersion = -1;

    private TargetWorkload(double halfLifePods, double coverage, boolean frozen) {
        if (!(halfLifePods > 0)) {
            throw new IllegalArgumentException("half-life must be positive, got " + halfLifePods);
        }
        this.halfLifePods = halfLifePods;
        this.coverage = coverage;
        this.frozen = frozen;
    }

    /** Learns from arrivals; a pod seen {@code halfLifePods} arrivals ago counts half as much as the latest one. */
    public static TargetWorkload learning(double halfLifePods, double coverage) {
        return new TargetWorkload(halfLifePods, coverage, false);
    }

    /** A fixed workload: {@link #observe} is ignored. */
    public static TargetWorkload fixed(Map<TaskShape, Double> weights, double coverage) {
        return fixedEmpty(coverage).seedWeights(weights);
    }

    /** A fixed workload to seed later (e.g. after {@link #ignoringMemory()}). */
    public static TargetWorkload fixedEmpty(double coverage) {
        return new TargetWorkload(1, coverage, true);
    }

    /**
     * Shapes are told apart by CPU and GPU only, host memory dropped (as the FGD paper counts its typical tasks). Call
     * before seeding.
     */
    public TargetWorkload ignoringMemory() {
        if (!weights.isEmpty()) {
            throw new IllegalStateException("ignoringMemory() must come before any weight");
        }
        keepMemory = false;
        return this;
    }

    private TaskShape key(TaskShape shape) {
        return keepMemory ? shape : shape.withoutMemory();
    }

    /** Adds prior weights (in pods) per shape, e.g. from config or from a trace. */
    public TargetWorkload seedWeights(Map<TaskShape, Double> prior) {
        prior.forEach((shape, weight) -> {
            if (!(weight >= 0)) {
                throw new IllegalArgumentException("seed weight of " + shape + " must not be negative");
            }
            weights.merge(key(shape), weight * increment, Double::sum);
        });
        version++;
        return this;
    }

    /** Counts each pod's shape once: the FGD paper's "typical pods" of a trace. */
    public static Map<TaskShape, Double> countShapes(Iterable<PodDemand> pods) {
        Map<TaskShape, Double> counts = new HashMap<>();
        for (PodDemand p : pods) {
            TaskShape.of(p).ifPresent(s -> counts.merge(s, 1.0, Double::sum));
        }
        return counts;
    }

    /** Records an arriving pod (no-op for a fixed workload, or a pod without a measurable shape). */
    public void observe(PodDemand pod) {
        if (frozen) {
            return;
        }
        TaskShape.of(pod).ifPresent(this::observe);
    }

    public void observe(TaskShape shape) {
        if (frozen) {
            return;
        }
        increment *= Math.pow(2, 1 / halfLifePods);
        weights.merge(key(shape), increment, Double::sum);
        if (increment > 1e200) {
            double scale = increment;
            weights.replaceAll((k, v) -> v / scale);
            increment = 1;
        }
        version++;
    }

    /** Changes whenever the mix may have changed. */
    public long version() {
        return version;
    }

    /** The current target workload. */
    public WorkloadMix mix() {
        if (mixVersion != version) {
            mix = WorkloadMix.fromWeights(weights, coverage);
            mixVersion = version;
        }
        return mix;
    }
}
