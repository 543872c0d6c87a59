package dev.tangram.core.model;

import java.util.Objects;

/**
 * How one GPU is shared: how many replicas it is advertised as, by which strategy, and the memory share of each.
 *
 * @param replicas            replicas of the GPU (1 = not shared)
 * @param strategy            {@code time-slicing} or {@code mps}
 * @param memoryMibPerReplica GPU memory ÷ replicas, told to each container
 */
public record GpuSharing(int replicas, String strategy, long memoryMibPerReplica) {
    public static final String TIME_SLICING = "time-slicing";
    public static final String MPS = "mps";

    public GpuSharing {
        Objects.requireNonNull(strategy, "strategy");
        if (replicas < 2) {
            throw new IllegalArgumentException("a shared GPU needs at least 2 replicas, got " + replicas);
        }
        if (!strategy.equals(TIME_SLICING) && !strategy.equals(MPS)) {
            throw new IllegalArgumentException("sharing strategy must be time-slicing or mps, got '" + strategy + "'");
        }
        if (memoryMibPerReplica < 0) {
            throw new IllegalArgumentException("memory per replica must not be negative");
        }
    }

    /** Equal shares of {@code gpuMemoryMib}. */
    public static GpuSharing of(int replicas, String strategy, long gpuMemoryMib) {
        return new GpuSharing(replicas, strategy, gpuMemoryMib / Math.max(1, replicas));
    }
}
