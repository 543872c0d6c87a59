package dev.tangram.dra.device;

import dev.tangram.core.model.Gpu;
import dev.tangram.core.model.MigProfile;

import java.util.Objects;

/** What a published device name stands for on the node: a whole GPU, or one MIG placement to be created at prepare. */
public sealed interface DeviceTarget {
    Gpu gpu();

    /** Memory a claim of the whole device gets, in MiB. */
    long memoryMib();

    record WholeGpu(Gpu gpu) implements DeviceTarget {
        public WholeGpu {
            Objects.requireNonNull(gpu, "gpu");
        }

        @Override
        public long memoryMib() {
            return gpu.memoryMib();
        }
    }

    record MigPartition(Gpu gpu, MigProfile profile, int placementStart) implements DeviceTarget {
        public MigPartition {
            Objects.requireNonNull(gpu, "gpu");
            Objects.requireNonNull(profile, "profile");
            if (!profile.isLegalStart(placementStart)) {
                throw new IllegalArgumentException("placement " + placementStart + " is not legal for " + profile.name());
            }
        }

        @Override
        public long memoryMib() {
            return profile.memoryMib();
        }
    }
}
