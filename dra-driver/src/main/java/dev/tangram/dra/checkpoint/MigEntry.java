package dev.tangram.dra.checkpoint;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.Objects;

/**
 * A MIG device a claim needs: recorded before it is created (migUuid null) and again once it exists, so that a restart
 * finds it even when the driver died between the two.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record MigEntry(String device, String gpuUuid, String profile, int placementStart, String migUuid) {
    public MigEntry {
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(gpuUuid, "gpuUuid");
        Objects.requireNonNull(profile, "profile");
    }

    public MigEntry created(String uuid) {
        return new MigEntry(device, gpuUuid, profile, placementStart, uuid);
    }
}
