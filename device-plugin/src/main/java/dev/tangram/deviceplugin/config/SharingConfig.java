package dev.tangram.deviceplugin.config;

import dev.tangram.core.model.Gpu;
import dev.tangram.core.model.GpuSharing;

import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * How whole GPUs are shared. Replicas for a GPU come from {@code perIndex}, then {@code perProduct}, then the node-wide
 * {@code replicas}; 1 means not shared.
 *
 * @param strategy                   {@code time-slicing} or {@code mps}
 * @param replicas                   node-wide default replicas per GPU (1 = no sharing)
 * @param perProduct                 replicas per GPU product name (exact, as NVML spells it)
 * @param perIndex                   replicas per GPU index
 * @param resourceName               name of the shared resource when {@code renameByDefault}
 * @param renameByDefault            offer shared GPUs under {@code resourceName} (else under {@code nvidia.com/gpu})
 * @param policy                     where different containers' replicas go
 * @param failRequestsGreaterThanOne refuse a container asking for more than one replica
 * @param mpsRoot                    host directory of the MPS control daemons (pipe directories per GPU UUID)
 */
public record SharingConfig(String strategy, int replicas, Map<String, Integer> perProduct, Map<Integer, Integer> perIndex,
                            String resourceName, boolean renameByDefault, SharedPolicy policy, boolean failRequestsGreaterThanOne,
                            Path mpsRoot) {
    public SharingConfig {
        Objects.requireNonNull(strategy, "strategy");
        perProduct = Map.copyOf(perProduct);
        perIndex = Map.copyOf(perIndex);
        Objects.requireNonNull(resourceName, "resourceName");
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(mpsRoot, "mpsRoot");
    }

    public static SharingConfig none() {
        return new SharingConfig(GpuSharing.TIME_SLICING, 1, Map.of(), Map.of(), dev.tangram.core.names.TangramNames.RESOURCE_GPU_SHARED,
                true, SharedPolicy.SPREAD, false, Path.of("/run/tangram/mps"));
    }

    public int replicasFor(Gpu gpu) {
        Integer byIndex = perIndex.get(gpu.index());
        if (byIndex != null) {
            return byIndex;
        }
        Integer byProduct = perProduct.get(gpu.product());
        return byProduct != null ? byProduct : replicas;
    }

    public boolean mps() {
        return strategy.equals(GpuSharing.MPS);
    }

    public SharingConfig withReplicas(int n) {
        return new SharingConfig(strategy, n, perProduct, perIndex, resourceName, renameByDefault, policy, failRequestsGreaterThanOne, mpsRoot);
    }
}
