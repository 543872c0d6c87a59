package dev.tangram.dra.checkpoint;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.Objects;

/**
 * One prepared (or being prepared) device of a claim, with what the kubelet's answer needs.
 *
 * @param request     request name (no subrequest suffix)
 * @param pool        pool name
 * @param device      device name in the pool
 * @param gpuUuid     the GPU it is on
 * @param shareId     share id when shared with other claims, else null
 * @param cdiDeviceId the fully qualified CDI device id
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DeviceEntry(String request, String pool, String device, String gpuUuid, String shareId, String cdiDeviceId) {
    public DeviceEntry {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(pool, "pool");
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(gpuUuid, "gpuUuid");
        Objects.requireNonNull(cdiDeviceId, "cdiDeviceId");
    }
}
