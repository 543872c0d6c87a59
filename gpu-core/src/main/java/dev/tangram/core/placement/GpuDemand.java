package dev.tangram.core.placement;

import java.util.Objects;

/** What one container asks for, in GPU terms. */
public sealed interface GpuDemand {
    /** {@code count} whole, otherwise unused GPUs ({@code nvidia.com/gpu}). */
    record WholeGpus(int count) implements GpuDemand {
        public WholeGpus {
            if (count < 1) {
                throw new IllegalArgumentException("whole GPU count must be at least 1, got " + count);
            }
        }
    }

    /** {@code count} MIG devices of one profile ({@code nvidia.com/mig-<profile>}). */
    record MigDevices(String profile, int count) implements GpuDemand {
        public MigDevices {
            Objects.requireNonNull(profile, "profile");
            if (count < 1) {
                throw new IllegalArgumentException("MIG device count must be at least 1, got " + count);
            }
        }
    }

    /** {@code count} shared replicas, all on one GPU ({@code nvidia.com/gpu.shared}). */
    record SharedReplicas(int count) implements GpuDemand {
        public SharedReplicas {
            if (count < 1) {
                throw new IllegalArgumentException("replica count must be at least 1, got " + count);
            }
        }
    }

    /** A fraction of one GPU in thousandths (trace pods with {@code gpu_milli} below 1000). */
    record GpuFraction(int milli) implements GpuDemand {
        public GpuFraction {
            if (milli < 1 || milli > 1000) {
                throw new IllegalArgumentException("GPU fraction must be 1..1000 milli, got " + milli);
            }
        }
    }
}
