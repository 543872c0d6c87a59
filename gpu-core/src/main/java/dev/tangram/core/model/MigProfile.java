package dev.tangram.core.model;

import java.util.List;
import java.util.Objects;

/**
 * One MIG GPU-instance profile of one GPU model, e.g. {@code 1g.10gb} on an A100 80GB.
 *
 * @param name            the profile as NVIDIA names it ({@code 3g.40gb}, {@code 1g.10gb+me})
 * @param nvmlProfileId   NVML's GPU instance profile id (NVML_GPU_INSTANCE_PROFILE_*)
 * @param computeSlices   compute slices (the "g"), out of 7
 * @param memorySlices    memory slices, out of 8
 * @param memoryMib       memory of one instance (nominal, from the profile name)
 * @param multiprocessors streaming multiprocessors of one instance
 * @param placementStarts legal start slots in the 8-slot placement space
 * @param placementSize   slots one instance occupies
 */
public record MigProfile(String name, int nvmlProfileId, int computeSlices, int memorySlices, long memoryMib,
                         int multiprocessors, List<Integer> placementStarts, int placementSize) {
    public static final int PLACEMENT_SLOTS = 8;

    public MigProfile {
        Objects.requireNonNull(name, "name");
        placementStarts = List.copyOf(placementStarts);
        if (placementSize < 1 || placementSize > PLACEMENT_SLOTS) {
            throw new IllegalArgumentException("placement size out of range for " + name + ": " + placementSize);
        }
        for (int start : placementStarts) {
            if (start < 0 || start + placementSize > PLACEMENT_SLOTS) {
                throw new IllegalArgumentException("placement " + start + ":" + placementSize + " of " + name + " leaves the GPU");
            }
        }
    }

    /** True for the media-extension variants such as {@code 1g.10gb+me}. */
    public boolean mediaExtensions() {
        return name.endsWith("+me");
    }

    public boolean isLegalStart(int start) {
        return placementStarts.contains(start);
    }

    /** The Kubernetes resource name under the mixed strategy: {@code nvidia.com/mig-1g.10gb} ('+' becomes '.'). */
    public String resourceName() {
        return dev.tangram.core.names.TangramNames.migResource(name);
    }
}
