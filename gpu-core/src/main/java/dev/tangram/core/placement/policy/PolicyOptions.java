package dev.tangram.core.placement.policy;

import java.util.Map;
import java.util.Objects;

/**
 * What the policy factory needs beyond a name.
 *
 * @param seed           seed of the random policy
 * @param seedWorkload   prior task counts per shape for the fragmentation workload (from config or a trace); may be empty
 * @param learn          whether fragmentation policies keep learning the workload from arrivals
 * @param halfLifePods   how fast learned arrivals fade, in pods
 * @param coverage       share of tasks the workload's most popular shapes must cover (the paper's 95 %)
 * @param refreshEvery   re-read the learned workload after this many arrivals
 */
public record PolicyOptions(long seed, Map<TaskShape, Double> seedWorkload, boolean learn, double halfLifePods, double coverage,
                            long refreshEvery) {
    public PolicyOptions {
        Objects.requireNonNull(seedWorkload, "seedWorkload");
        seedWorkload = Map.copyOf(seedWorkload);
        if (!(halfLifePods > 0)) {
            throw new IllegalArgumentException("halfLifePods must be positive, got " + halfLifePods);
        }
        if (!(coverage > 0 && coverage <= 1)) {
            throw new IllegalArgumentException("coverage must be in (0, 1], got " + coverage);
        }
        if (refreshEvery < 1) {
            throw new IllegalArgumentException("refreshEvery must be at least 1, got " + refreshEvery);
        }
    }

    /** Defaults for a live scheduler: learn online, half-life 2,000 pods, 95 % coverage, re-read every 100 arrivals. */
    public static PolicyOptions defaults(long seed) {
        return new PolicyOptions(seed, Map.of(), true, 2000, WorkloadMix.DEFAULT_COVERAGE, 100);
    }

    /** As the paper evaluates FGD: the workload is the whole trace's task shapes, fixed. */
    public static PolicyOptions fromTrace(long seed, Map<TaskShape, Double> traceShapes) {
        return new PolicyOptions(seed, traceShapes, false, 2000, WorkloadMix.DEFAULT_COVERAGE, 100);
    }

    public PolicyOptions withSeed(long newSeed) {
        return new PolicyOptions(newSeed, seedWorkload, learn, halfLifePods, coverage, refreshEvery);
    }

    /**
     * The seed workload with whole-GPU shapes weighted {@code 1 + gpus * weight} times (the paper simulator's "GPU
     * resource weight"): tasks that take more whole GPUs count more.
     */
    public PolicyOptions withSizeWeight(double weight) {
        if (weight == 0) {
            return this;
        }
        java.util.Map<TaskShape, Double> w = new java.util.HashMap<>();
        seedWorkload.forEach((shape, count) -> w.put(shape, shape.gpuMilli() == 1000 ? count * (1 + shape.gpuCount() * weight) : count));
        return new PolicyOptions(seed, w, learn, halfLifePods, coverage, refreshEvery);
    }

    /**
     * The seed workload weighted by GPU demand rather than by count alone: a task on a fraction of one GPU counts its
     * share of that GPU ({@code milli / 1000}), a whole-GPU task {@code 1 + gpus * wholeGpuWeight} (as
     * {@link #withSizeWeight}), a CPU-only task once. Small shares then weigh what they occupy, not how often they come.
     */
    public PolicyOptions weightedByGpuDemand(double wholeGpuWeight) {
        java.util.Map<TaskShape, Double> w = new java.util.HashMap<>();
        withSizeWeight(wholeGpuWeight).seedWorkload.forEach((shape, count) ->
                w.put(shape, shape.gpuCount() == 1 && shape.gpuMilli() < 1000 ? count * shape.gpuMilli() / 1000.0 : count));
        return new PolicyOptions(seed, w, learn, halfLifePods, coverage, refreshEvery);
    }

    /** A fresh target workload as these options describe it; {@code withMemory} tells shapes apart by host memory too. */
    public TargetWorkload newWorkload(boolean withMemory) {
        TargetWorkload w = learn ? TargetWorkload.learning(halfLifePods, coverage) : TargetWorkload.fixedEmpty(coverage);
        if (!withMemory) {
            w.ignoringMemory();
        }
        return w.seedWeights(seedWorkload);
    }

    public PolicyOptions withCoverage(double newCoverage) {
        return new PolicyOptions(seed, seedWorkload, learn, halfLifePods, newCoverage, refreshEvery);
    }
}
