package dev.tangram.dra.claim;

import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * One device the scheduler allocated to a claim.
 *
 * @param request           the request name as written in the allocation ({@code main/sub} for a subrequest)
 * @param driver            the driver the device belongs to
 * @param pool              its pool
 * @param device            its name in the pool
 * @param shareId           set when the device is shared with other claims (consumable capacity)
 * @param consumedMemoryMib the memory the claim consumes of a shared device, when it says
 */
public record AllocatedDevice(String request, String driver, String pool, String device, Optional<String> shareId,
                              OptionalLong consumedMemoryMib) {
    public AllocatedDevice {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(driver, "driver");
        Objects.requireNonNull(pool, "pool");
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(shareId, "shareId");
        Objects.requireNonNull(consumedMemoryMib, "consumedMemoryMib");
    }

    public static AllocatedDevice of(String request, String driver, String pool, String device) {
        return new AllocatedDevice(request, driver, pool, device, Optional.empty(), OptionalLong.empty());
    }

    /** The request without a subrequest suffix: {@code main/sub} → {@code main}, as the kubelet wants it. */
    public String requestName() {
        int slash = request.indexOf('/');
        return slash < 0 ? request : request.substring(0, slash);
    }
}
