package dev.tangram.dra.config;

import java.util.Objects;

/** How the devices of one request are shared by the containers that use them, from the claim's opaque config. */
public sealed interface SharingConfig {
    /** No sharing settings: the claim's containers get the device as it is. */
    record None() implements SharingConfig {
    }

    /** Time-slicing with one of the driver's intervals. */
    record TimeSlicing(Interval interval) implements SharingConfig {
        public TimeSlicing {
            Objects.requireNonNull(interval, "interval");
        }
    }

    /**
     * MPS client settings.
     *
     * @param activeThreadPercentage 1-100
     * @param pinnedMemoryLimitMib   per-device memory limit, 0 = none
     */
    record Mps(int activeThreadPercentage, long pinnedMemoryLimitMib) implements SharingConfig {
        public Mps {
            if (activeThreadPercentage < 1 || activeThreadPercentage > 100) {
                throw new IllegalArgumentException("mps.activeThreadPercentage must be 1-100, got " + activeThreadPercentage);
            }
            if (pinnedMemoryLimitMib < 0) {
                throw new IllegalArgumentException("mps.pinnedMemoryLimit must not be negative");
            }
        }
    }

    enum Interval { Default, Short, Medium, Long }

    SharingConfig NONE = new None();
}
