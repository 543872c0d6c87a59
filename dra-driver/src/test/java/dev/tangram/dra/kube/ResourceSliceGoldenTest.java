package dev.tangram.dra.kube;

import dev.tangram.core.GpuFixtures;
import dev.tangram.core.model.Health;
import dev.tangram.core.model.Link;
import dev.tangram.core.model.LinkMatrix;
import dev.tangram.core.model.NodeInventory;
import dev.tangram.core.model.PcieRelation;
import dev.tangram.dra.Golden;
import dev.tangram.dra.device.DevicePlan;
import dev.tangram.dra.device.DevicePlanner;
import dev.tangram.dra.slice.SliceShape;
import dev.tangram.dra.slice.SliceSplitter;
import io.fabric8.kubernetes.api.model.resource.v1.ResourceSlice;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class ResourceSliceGoldenTest {
    private static final KubernetesSerialization YAML = new KubernetesSerialization();

    /** Two H100s: GPU 0 in MIG mode (partitions), GPU 1 whole and unhealthy. */
    static NodeInventory goldenNode() {
        return new NodeInventory("golden-node", "550.54.15", "12.4",
                List.of(GpuFixtures.h100(0, 0).withMig(true, List.of()), GpuFixtures.h100(1, 0).withHealth(Health.unhealthy("GPU lost"))),
                LinkMatrix.of(2, (i, j) -> new Link(18, PcieRelation.SAME_NUMA)));
    }

    private static String slicesYaml(SliceShape shape) {
        DevicePlan plan = new DevicePlanner(DevicePlanner::busRoot, true).plan("golden-node", goldenNode(), Set.of());
        List<ResourceSlice> slices = ResourceSliceTranslator.translate("gpu.tangram.dev", "golden-node",
                SliceSplitter.split(plan, shape), 3, Optional.empty());
        StringBuilder out = new StringBuilder();
        slices.forEach(s -> out.append(YAML.asYaml(s)));
        return out.toString();
    }

    @Test
    void slicesForKubernetes134MatchTheGoldenFile() {
        Golden.assertMatches("slices-1.34.yaml", slicesYaml(SliceShape.COUNTERS_BESIDE_DEVICES));
    }

    @Test
    void slicesForKubernetes135MatchTheGoldenFile() {
        Golden.assertMatches("slices-1.35.yaml", slicesYaml(SliceShape.COUNTERS_IN_OWN_SLICES));
    }

    @Test
    void translatedSlicesReadBackIntoTheSameModel() {
        String yaml = slicesYaml(SliceShape.COUNTERS_IN_OWN_SLICES);
        ResourceSlice first = YAML.unmarshal(yaml.split("(?m)^---$")[1], ResourceSlice.class);
        assertThat(first.getSpec().getPool().getGeneration()).isEqualTo(3L);
        assertThat(first.getSpec().getPool().getResourceSliceCount()).isEqualTo(2L);
        assertThat(first.getSpec().getSharedCounters()).hasSize(1);
        assertThat(first.getSpec().getDevices()).isNullOrEmpty();
    }
}
