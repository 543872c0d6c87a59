package dev.tangram.core.model;

import java.util.Objects;

/**
 * One MIG device: a GPU instance with its compute instance, carved from a parent GPU.
 *
 * @param uuid              the MIG device UUID ({@code MIG-...})
 * @param parentUuid        the UUID of the GPU it lives on
 * @param gpuInstanceId     NVML GPU instance id
 * @param computeInstanceId NVML compute instance id
 * @param profile           the profile name, e.g. {@code 1g.10gb}
 * @param placementStart    first placement slot (0-7)
 * @param placementSize     slots it occupies
 * @param memoryMib         its memory
 */
public record MigDevice(String uuid, String parentUuid, int gpuInstanceId, int computeInstanceId, String profile,
                        int placementStart, int placementSize, long memoryMib) {
    public MigDevice {
        Objects.requireNonNull(uuid, "uuid");
        Objects.requireNonNull(parentUuid, "parentUuid");
        Objects.requireNonNull(profile, "profile");
        if (placementStart < 0 || placementSize < 1 || placementStart + placementSize > MigProfile.PLACEMENT_SLOTS) {
            throw new IllegalArgumentException("MIG device " + uuid + " has placement " + placementStart + ":" + placementSize
                    + " outside the 8 slots");
        }
    }

    public boolean overlaps(int start, int size) {
        return start < placementStart + placementSize && placementStart < start + size;
    }

    /** Resource name under the mixed strategy, e.g. {@code nvidia.com/mig-1g.10gb}. */
    public String resourceName() {
        return dev.tangram.core.names.TangramNames.migResource(profile);
    }
}
