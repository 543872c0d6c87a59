package dev.tangram.inference.allocation;

import java.util.OptionalLong;

/**
 * One device the pod was given, as far as it could be resolved.
 *
 * @param id        the id as the environment named it (UUID or index)
 * @param uuid      the resolved UUID ({@code GPU-...} or {@code MIG-...})
 * @param kind      {@code gpu} or {@code mig}
 * @param product   product name (the parent's for a MIG device), with the MIG profile appended
 * @param memoryMib its framebuffer memory
 * @param freeMib   free memory NVML reported (full GPUs only), when known
 */
public record AllocatedDevice(String id, String uuid, String kind, String product, long memoryMib, OptionalLong freeMib) {
}
