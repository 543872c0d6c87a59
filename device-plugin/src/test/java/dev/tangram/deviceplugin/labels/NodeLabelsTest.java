package dev.tangram.deviceplugin.labels;

import dev.tangram.core.GpuFixtures;
import dev.tangram.core.names.TangramNames;
import dev.tangram.deviceplugin.config.MigStrategy;
import dev.tangram.deviceplugin.config.SharingConfig;
import dev.tangram.deviceplugin.resources.ResourcePlanner;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class NodeLabelsTest {
    @Test
    void spellsTheGpuFeatureDiscoveryLabels() {
        var inv = ResourcePlanner.withSharing(GpuFixtures.dgxH100("n"), MigStrategy.NONE, SharingConfig.none().withReplicas(4));
        var l = NodeLabels.of(inv, MigStrategy.NONE, SharingConfig.none().withReplicas(4));
        assertThat(l).containsEntry(TangramNames.LABEL_GPU_PRODUCT, "NVIDIA-H100-80GB-HBM3")
                .containsEntry(TangramNames.LABEL_GPU_REPLICAS, "4")
                .containsEntry(TangramNames.LABEL_GPU_SHARING_STRATEGY, "time-slicing")
                .containsEntry(TangramNames.LABEL_GPU_COUNT, "8")
                .containsEntry(TangramNames.LABEL_CUDA_DRIVER_MAJOR, "550")
                .containsEntry(TangramNames.LABEL_CUDA_DRIVER_MINOR, "54")
                .containsEntry(TangramNames.LABEL_CUDA_DRIVER_REVISION, "15")
                .containsEntry(TangramNames.LABEL_MIG_CAPABLE, "true");
        assertThat(l.values()).allMatch(v -> v.length() <= 63 && v.matches("[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?"));
    }

    @Test
    void makesAnyProductNameALegalLabelValue() {
        assertThat(NodeLabels.value("  NVIDIA A100-SXM4-80GB (rev a1)  ")).isEqualTo("NVIDIA-A100-SXM4-80GB-_rev-a1");
        assertThat(NodeLabels.value("x".repeat(80))).hasSize(63);
    }
}
