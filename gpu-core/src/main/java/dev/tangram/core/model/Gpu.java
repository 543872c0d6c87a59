package dev.tangram.core.model;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One physical GPU as the node sees it.
 *
 * @param uuid              {@code GPU-...}
 * @param index             the nvidia-smi index
 * @param minor             the device minor number ({@code /dev/nvidia<minor>})
 * @param product           product name, e.g. {@code NVIDIA H100 80GB HBM3}
 * @param architecture      lower-case family: {@code ampere}, {@code hopper}, {@code ada-lovelace}, ...
 * @param computeCapability CUDA compute capability
 * @param memoryMib         total framebuffer memory
 * @param pciBusId          PCI bus id, {@code 0000:18:00.0}
 * @param numaNode          NUMA node, -1 when unknown
 * @param health            current health
 * @param migCapable        whether the GPU can do MIG at all
 * @param migEnabled        whether MIG mode is on (then the GPU is offered only through its MIG devices)
 * @param migDevices        MIG devices carved on it (empty when MIG is off)
 * @param sharing           how it is shared, if at all (a device plugin setting, not a probe reading)
 */
public record Gpu(String uuid, int index, int minor, String product, String architecture, ComputeCapability computeCapability,
                  long memoryMib, String pciBusId, int numaNode, Health health, boolean migCapable, boolean migEnabled,
                  List<MigDevice> migDevices, Optional<GpuSharing> sharing) {
    public Gpu {
        Objects.requireNonNull(uuid, "uuid");
        Objects.requireNonNull(product, "product");
        Objects.requireNonNull(architecture, "architecture");
        Objects.requireNonNull(computeCapability, "computeCapability");
        Objects.requireNonNull(pciBusId, "pciBusId");
        Objects.requireNonNull(health, "health");
        Objects.requireNonNull(sharing, "sharing");
        migDevices = List.copyOf(migDevices);
        if (index < 0 || minor < 0) {
            throw new IllegalArgumentException("GPU " + uuid + ": index and minor must not be negative");
        }
        if (memoryMib <= 0) {
            throw new IllegalArgumentException("GPU " + uuid + ": memory must be positive, got " + memoryMib);
        }
        if (!migEnabled && !migDevices.isEmpty()) {
            throw new IllegalArgumentException("GPU " + uuid + " has MIG devices but MIG mode is off");
        }
        if (migEnabled && !migCapable) {
            throw new IllegalArgumentException("GPU " + uuid + " has MIG enabled but is not MIG-capable");
        }
        for (MigDevice m : migDevices) {
            if (!m.parentUuid().equals(uuid)) {
                throw new IllegalArgumentException("MIG device " + m.uuid() + " names parent " + m.parentUuid() + ", not " + uuid);
            }
        }
    }

    public Gpu withHealth(Health newHealth) {
        return new Gpu(uuid, index, minor, product, architecture, computeCapability, memoryMib, pciBusId, numaNode, newHealth,
                migCapable, migEnabled, migDevices, sharing);
    }

    public Gpu withSharing(Optional<GpuSharing> newSharing) {
        return new Gpu(uuid, index, minor, product, architecture, computeCapability, memoryMib, pciBusId, numaNode, health,
                migCapable, migEnabled, migDevices, newSharing);
    }

    public Gpu withMig(boolean enabled, List<MigDevice> devices) {
        return new Gpu(uuid, index, minor, product, architecture, computeCapability, memoryMib, pciBusId, numaNode, health,
                migCapable, enabled, devices, sharing);
    }

    /** The MIG profile catalog of this GPU's model, when it can do MIG. */
    public Optional<MigProfileCatalog> migCatalog() {
        return migCapable ? MigProfileCatalog.forGpu(product, memoryMib) : Optional.empty();
    }

    public int replicas() {
        return sharing.map(GpuSharing::replicas).orElse(1);
    }
}
