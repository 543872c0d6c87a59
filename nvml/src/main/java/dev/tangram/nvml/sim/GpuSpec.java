package dev.tangram.nvml.sim;

import dev.tangram.core.model.ComputeCapability;
import dev.tangram.core.probe.GpuMetrics;

import java.util.List;
import java.util.Objects;

/**
 * One GPU of a node description, validated.
 *
 * @param lost       whether the GPU starts out lost (it then shows unhealthy)
 * @param migEnabled whether MIG mode is on
 * @param mig        the MIG devices carved at start
 * @param metrics    what {@code metrics()} answers for it
 */
public record GpuSpec(int index, int minor, String product, String architecture, ComputeCapability computeCapability,
                      long memoryMib, String pciBusId, int numaNode, boolean migCapable, boolean lost, boolean migEnabled,
                      List<MigSpec> mig, GpuMetrics metrics) {
    public GpuSpec {
        Objects.requireNonNull(product, "product");
        Objects.requireNonNull(architecture, "architecture");
        Objects.requireNonNull(computeCapability, "computeCapability");
        Objects.requireNonNull(pciBusId, "pciBusId");
        Objects.requireNonNull(metrics, "metrics");
        mig = List.copyOf(mig);
    }

    /**
     * One MIG device of the description.
     *
     * @param profile       profile name from the GPU's catalog
     * @param start         placement start slot
     * @param size          placement slots
     * @param gpuInstanceId GPU instance id
     * @param memoryMib     its memory
     */
    public record MigSpec(String profile, int start, int size, int gpuInstanceId, long memoryMib) {
    }
}
