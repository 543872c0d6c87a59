package dev.tangram.deviceplugin.resources;

import dev.tangram.core.model.DeviceIds;
import dev.tangram.core.model.Gpu;
import dev.tangram.core.model.NodeInventory;
import dev.tangram.core.names.TangramNames;
import dev.tangram.deviceplugin.config.MigStrategy;
import dev.tangram.deviceplugin.config.SharedPolicy;
import dev.tangram.deviceplugin.config.SharingConfig;
import dev.tangram.nvml.ExampleNodes;
import dev.tangram.nvml.sim.SimulatedGpuProbe;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ResourcePlannerTest {
    private static NodeInventory node(String name) {
        try (SimulatedGpuProbe p = SimulatedGpuProbe.open(ExampleNodes.path(name))) {
            return p.inventory();
        }
    }

    private static Map<String, Integer> counts(List<PluginResource> rs) {
        return rs.stream().collect(Collectors.toMap(PluginResource::name, r -> r.devices().size()));
    }

    @Test
    void mixedOffersOneResourcePerProfileAndWholeGpusForTheRest() {
        NodeInventory inv = node(ExampleNodes.A100_MIG);
        Map<String, Integer> c = counts(ResourcePlanner.plan(inv, MigStrategy.MIXED, SharingConfig.none()));
        long migCount = inv.migDevices().size();
        assertThat(c.get(TangramNames.RESOURCE_GPU)).isEqualTo((int) inv.gpus().stream().filter(g -> !g.migEnabled()).count());
        assertThat(c.entrySet().stream().filter(e -> e.getKey().startsWith(TangramNames.RESOURCE_MIG_PREFIX)).mapToInt(Map.Entry::getValue).sum())
                .isEqualTo((int) migCount);
        assertThat(c).containsKeys("nvidia.com/mig-1g.10gb", "nvidia.com/mig-3g.40gb");
    }

    @Test
    void noneOffersEveryGpuWholeAndSingleRefusesMixedProfiles() {
        NodeInventory inv = node(ExampleNodes.A100_MIG);
        assertThat(counts(ResourcePlanner.plan(inv, MigStrategy.NONE, SharingConfig.none()))).isEqualTo(Map.of(TangramNames.RESOURCE_GPU, 8));
        assertThatThrownBy(() -> ResourcePlanner.plan(inv, MigStrategy.SINGLE, SharingConfig.none()))
                .isInstanceOf(ResourcePlanner.PlanException.class).hasMessageContaining("single");
        // single on a node without MIG offers whole GPUs
        assertThat(counts(ResourcePlanner.plan(node(ExampleNodes.DGX_H100), MigStrategy.SINGLE, SharingConfig.none())))
                .isEqualTo(Map.of(TangramNames.RESOURCE_GPU, 8));
    }

    @Test
    void replicasArePerGpuWithTheirMemoryShareAndNameTheirGpu() {
        NodeInventory inv = node(ExampleNodes.L4_2);
        SharingConfig perIndex = new SharingConfig("time-slicing", 1, Map.of(), Map.of(0, 4), TangramNames.RESOURCE_GPU_SHARED, true,
                SharedPolicy.SPREAD, false, Path.of("/mps"));
        List<PluginResource> rs = ResourcePlanner.plan(inv, MigStrategy.NONE, perIndex);
        assertThat(counts(rs)).isEqualTo(Map.of(TangramNames.RESOURCE_GPU, 1, TangramNames.RESOURCE_GPU_SHARED, 4));
        PluginResource shared = rs.stream().filter(r -> r.name().equals(TangramNames.RESOURCE_GPU_SHARED)).findFirst().orElseThrow();
        Gpu gpu0 = inv.gpus().getFirst();
        assertThat(shared.devices()).allSatisfy(d -> {
            assertThat(DeviceIds.physical(d.id())).isEqualTo(gpu0.uuid());
            assertThat(d.memoryMib()).isEqualTo(gpu0.memoryMib() / 4);
            assertThat(d.kind()).isEqualTo(DeviceKind.REPLICA);
        });
        // renaming off: replicas are offered as nvidia.com/gpu
        SharingConfig noRename = new SharingConfig("time-slicing", 2, Map.of(), Map.of(), TangramNames.RESOURCE_GPU_SHARED, false,
                SharedPolicy.SPREAD, false, Path.of("/mps"));
        assertThat(counts(ResourcePlanner.plan(inv, MigStrategy.NONE, noRename))).isEqualTo(Map.of(TangramNames.RESOURCE_GPU, 4));
    }

    @Test
    void migDevicesAndReplicasTakeTheirGpusHealth() {
        NodeInventory inv = node(ExampleNodes.A100_MIG);
        Gpu g0 = inv.gpus().getFirst();
        NodeInventory sick = inv.withGpu(g0.uuid(), g -> g.withHealth(dev.tangram.core.model.Health.unhealthy("Xid 79")));
        List<PluginResource> rs = ResourcePlanner.plan(sick, MigStrategy.MIXED, SharingConfig.none());
        rs.forEach(r -> r.devices().forEach(d -> assertThat(d.health().healthy()).isEqualTo(!d.gpuUuid().equals(g0.uuid()))));
        assertThat(rs.stream().flatMap(r -> r.devices().stream()).filter(d -> !d.health().healthy()).count()).isEqualTo(g0.migDevices().size());
    }
}
