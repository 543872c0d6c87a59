package dev.tangram.deviceplugin.allocation;

import dev.tangram.core.GpuFixtures;
import dev.tangram.core.model.DeviceIds;
import dev.tangram.core.model.NodeInventory;
import dev.tangram.deviceplugin.config.MigStrategy;
import dev.tangram.deviceplugin.config.SharedPolicy;
import dev.tangram.deviceplugin.config.SharingConfig;
import dev.tangram.deviceplugin.resources.AdvertisedDevice;
import dev.tangram.deviceplugin.resources.PluginResource;
import dev.tangram.deviceplugin.resources.ResourcePlanner;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class ReplicaAllocatorTest {
    private final NodeInventory node = GpuFixtures.pcieWithPairs("n");
    private final PluginResource shared = ResourcePlanner.plan(node, MigStrategy.NONE, SharingConfig.none().withReplicas(4)).getFirst();

    private List<AdvertisedDevice> availableExcept(Set<String> taken) {
        return shared.devices().stream().filter(d -> !taken.contains(d.id())).toList();
    }

    private static String r(int gpu, int n) {
        return DeviceIds.replica(GpuFixtures.gpuUuid(gpu), n);
    }

    @Test
    void keepsOneContainersReplicasOnOneGpu() {
        List<String> pick = ReplicaAllocator.choose(shared.devices(), availableExcept(Set.of(r(0, 0), r(0, 1), r(0, 2))), Set.of(), 3,
                SharedPolicy.SPREAD);
        assertThat(pick).hasSize(3).allMatch(id -> DeviceIds.physical(id).equals(DeviceIds.physical(pick.getFirst())));
    }

    @Test
    void packedGoesToTheBusiestGpuThatFitsAndSpreadToTheIdlest() {
        Set<String> taken = Set.of(r(0, 0), r(0, 1), r(1, 0));
        List<String> packed = ReplicaAllocator.choose(shared.devices(), availableExcept(taken), Set.of(), 1, SharedPolicy.PACKED);
        assertThat(DeviceIds.physical(packed.getFirst())).isEqualTo(GpuFixtures.gpuUuid(0));
        List<String> spread = ReplicaAllocator.choose(shared.devices(), availableExcept(taken), Set.of(), 1, SharedPolicy.SPREAD);
        assertThat(DeviceIds.physical(spread.getFirst())).isEqualTo(GpuFixtures.gpuUuid(2));
        // packed skips a GPU that cannot hold the whole request
        List<String> packed2 = ReplicaAllocator.choose(shared.devices(), availableExcept(taken), Set.of(), 3, SharedPolicy.PACKED);
        assertThat(packed2).allMatch(id -> DeviceIds.physical(id).equals(GpuFixtures.gpuUuid(1)));
    }

    @Test
    void staysOnTheGpuOfAMustIncludeReplica() {
        List<String> pick = ReplicaAllocator.choose(shared.devices(), shared.devices(), Set.of(r(3, 2)), 2, SharedPolicy.SPREAD);
        assertThat(pick).contains(r(3, 2)).allMatch(id -> DeviceIds.physical(id).equals(GpuFixtures.gpuUuid(3)));
    }

    @Test
    void spansFewestGpusWhenNoneHoldsTheWholeRequest() {
        List<String> pick = ReplicaAllocator.choose(shared.devices(), shared.devices(), Set.of(), 6, SharedPolicy.SPREAD);
        assertThat(pick).hasSize(6);
        assertThat(pick.stream().map(DeviceIds::physical).distinct().count()).isEqualTo(2);
    }
}
