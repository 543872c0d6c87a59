package dev.tangram.dra.device;

import dev.tangram.core.model.Gpu;
import dev.tangram.core.model.MigProfile;

/** Names of published devices and counter sets: DNS labels derived from the GPU index, profile and placement. */
public final class DeviceNames {
    private DeviceNames() {
    }

    /** {@code gpu-3}. */
    public static String wholeGpu(Gpu gpu) {
        return "gpu-" + gpu.index();
    }

    /** {@code gpu-3-mig-1g10gb-2}, {@code gpu-3-mig-1g10gb-me-0}: the profile without dots, '+' as '-'. */
    public static String migPartition(Gpu gpu, MigProfile profile, int placementStart) {
        return wholeGpu(gpu) + "-mig-" + profile.name().replace(".", "").replace('+', '-') + "-" + placementStart;
    }

    /** {@code gpu-3-counters}. */
    public static String counterSet(Gpu gpu) {
        return wholeGpu(gpu) + "-counters";
    }

    public static final String COMPUTE_SLICES = "compute-slices";

    /** {@code memory-slice-5}. */
    public static String memorySlice(int slot) {
        return "memory-slice-" + slot;
    }
}
