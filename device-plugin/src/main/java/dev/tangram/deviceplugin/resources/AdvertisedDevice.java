package dev.tangram.deviceplugin.resources;

import dev.tangram.core.model.Gpu;
import dev.tangram.core.model.Health;
import dev.tangram.core.model.MigDevice;

import java.util.Objects;
import java.util.Optional;

/**
 * One device ID as the kubelet sees it, with what Allocate needs to know about it.
 *
 * @param id        the ID advertised (GPU UUID, MIG UUID, or {@code <gpu uuid>::<n>})
 * @param kind      what it stands for
 * @param gpu       the physical GPU it lives on
 * @param position  the GPU's position in the inventory (and link matrix)
 * @param mig       the MIG device, for {@link DeviceKind#MIG}
 * @param memoryMib the memory this ID is worth: the GPU's, the MIG device's, or the replica's share
 * @param health    its health (that of its GPU)
 */
public record AdvertisedDevice(String id, DeviceKind kind, Gpu gpu, int position, Optional<MigDevice> mig, long memoryMib, Health health) {
    public AdvertisedDevice {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(gpu, "gpu");
        Objects.requireNonNull(mig, "mig");
        Objects.requireNonNull(health, "health");
    }

    public String gpuUuid() {
        return gpu.uuid();
    }

    public int numaNode() {
        return gpu.numaNode();
    }
}
