package dev.tangram.dra.device;

import dev.tangram.core.GpuFixtures;
import dev.tangram.core.model.Gpu;
import dev.tangram.core.model.Health;
import dev.tangram.core.model.NodeInventory;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class DevicePlannerTest {
    private final DevicePlanner planner = new DevicePlanner(DevicePlanner::busRoot, true);

    static NodeInventory migOn(NodeInventory inventory) {
        return inventory.withGpus(inventory.gpus().stream().map(g -> g.withMig(true, List.of())).toList());
    }

    @Test
    void publishesOneShareableDevicePerGpuWithoutMig() {
        DevicePlan plan = planner.plan("node-a", GpuFixtures.dgxH100("node-a"), Set.of());

        assertThat(plan.devices()).hasSize(8);
        DraDevice gpu0 = plan.devices().getFirst();
        assertThat(gpu0.name()).isEqualTo("gpu-0");
        assertThat(gpu0.attributes()).containsEntry("type", AttributeValue.of("gpu"))
                .containsEntry("uuid", AttributeValue.of(GpuFixtures.gpuUuid(0)))
                .containsEntry("productName", AttributeValue.of("NVIDIA H100 80GB HBM3"))
                .containsEntry("architecture", AttributeValue.of("hopper"))
                .containsEntry("cudaComputeCapability", new AttributeValue.VersionValue("9.0.0"))
                .containsEntry("driverVersion", new AttributeValue.VersionValue("550.54.15"))
                .containsEntry("cudaDriverVersion", new AttributeValue.VersionValue("12.4.0"))
                .containsEntry("index", AttributeValue.of(0))
                .containsEntry("minor", AttributeValue.of(0))
                .containsEntry("numa", AttributeValue.of(0))
                .containsEntry("resource.kubernetes.io/pciBusID", AttributeValue.of("0000:18:00.0"))
                .containsEntry("resource.kubernetes.io/pcieRoot", AttributeValue.of("pci0000:18"));
        assertThat(gpu0.capacities().get("memory").quantity()).isEqualTo("81559Mi");
        assertThat(gpu0.capacities().get("memory").sharePolicy()).isPresent();
        assertThat(gpu0.capacities().get("multiprocessors").quantity()).isEqualTo("132");
        assertThat(gpu0.allowMultipleAllocations()).isTrue();
        assertThat(gpu0.consumes()).isEmpty();
        assertThat(plan.counterSets()).isEmpty();
    }

    @Test
    void publishesEveryLegalMigPlacementOfAGpuInMigModeAgainstItsCounterSet() {
        DevicePlan plan = planner.plan("node-a", migOn(GpuFixtures.dgxH100("node-a")), Set.of());

        // 7 + 7 + 4 + 3 + 2 + 1 + 1 placements per GPU
        assertThat(plan.devices()).hasSize(8 * 25);
        assertThat(plan.counterSets()).hasSize(8);
        CounterSet set = plan.counterSets().getFirst();
        assertThat(set.name()).isEqualTo("gpu-0-counters");
        assertThat(set.counters()).containsEntry("compute-slices", "7").containsEntry("memory-slice-0", "1")
                .containsEntry("memory-slice-7", "1").hasSize(9);
        DraDevice threeG = plan.devices().stream().filter(d -> d.name().equals("gpu-0-mig-3g40gb-4")).findFirst().orElseThrow();
        assertThat(threeG.attributes()).containsEntry("type", AttributeValue.of("mig"))
                .containsEntry("profile", AttributeValue.of("3g.40gb"))
                .containsEntry("parentUUID", AttributeValue.of(GpuFixtures.gpuUuid(0)))
                .containsEntry("placementStart", AttributeValue.of(4));
        assertThat(threeG.capacities().get("memory").quantity()).isEqualTo("40960Mi");
        assertThat(threeG.capacities().get("multiprocessors").quantity()).isEqualTo("60");
        assertThat(threeG.consumes()).singleElement().satisfies(u -> {
            assertThat(u.counterSet()).isEqualTo("gpu-0-counters");
            assertThat(u.counters()).containsOnlyKeys("compute-slices", "memory-slice-4", "memory-slice-5", "memory-slice-6",
                    "memory-slice-7").containsEntry("compute-slices", "3");
        });
        assertThat(plan.target("gpu-0-mig-1g10gb-me-6")).get().isInstanceOf(DeviceTarget.MigPartition.class);
        assertThat(plan.target("gpu-0")).isEmpty();
    }

    @Test
    void placementsOverlappingAStaticMigDeviceAreLeftOutAndItsSlicesTakenOffTheCounters() {
        NodeInventory inv = migOn(GpuFixtures.dgxH100("node-a"));
        inv = inv.withGpu(GpuFixtures.gpuUuid(0), g -> g.withMig(true, List.of(GpuFixtures.migDevice(0, 1, "4g.40gb", 0, 4, 40960))));

        DevicePlan plan = planner.plan("node-a", inv, Set.of());

        List<String> names = plan.devices().stream().map(DraDevice::name).filter(n -> n.startsWith("gpu-0-")).toList();
        assertThat(names).contains("gpu-0-mig-3g40gb-4", "gpu-0-mig-1g10gb-4").doesNotContain("gpu-0-mig-1g10gb-0",
                "gpu-0-mig-7g80gb-0", "gpu-0-mig-4g40gb-0");
        assertThat(plan.counterSets().getFirst().counters()).containsEntry("compute-slices", "3")
                .containsEntry("memory-slice-0", "0").containsEntry("memory-slice-4", "1");
    }

    @Test
    void aMigDeviceTheDriverCreatedDoesNotChangeThePlan() {
        NodeInventory inv = migOn(GpuFixtures.dgxH100("node-a"));
        DevicePlan before = planner.plan("node-a", inv, Set.of());
        var created = GpuFixtures.migDevice(0, 1, "1g.10gb", 0, 1, 10240);
        NodeInventory after = inv.withGpu(GpuFixtures.gpuUuid(0), g -> g.withMig(true, List.of(created)));

        assertThat(planner.plan("node-a", after, Set.of(created.uuid())).devices()).isEqualTo(before.devices());
    }

    @Test
    void anUnhealthyGpuAndItsPartitionsCarryANoScheduleTaintWithTheReason() {
        NodeInventory inv = GpuFixtures.dgxH100("node-a").withGpu(GpuFixtures.gpuUuid(2), g -> g.withHealth(Health.unhealthy("Xid 79: fell off the bus")));

        DevicePlan plan = planner.plan("node-a", inv, Set.of());

        assertThat(plan.devices().get(2).taints()).containsExactly(
                new DeviceTaint("gpu.tangram.dev/unhealthy", "Xid-79-fell-off-the-bus", "NoSchedule"));
        assertThat(plan.devices().get(1).taints()).isEmpty();
    }

    @Test
    void gpusJoinedByNvlinkShareAnNvlinkGroupAttribute() {
        DevicePlan plan = planner.plan("n", GpuFixtures.pcieWithPairs("n"), Set.of());

        assertThat(plan.devices()).extracting(d -> d.attributes().get("nvlinkGroup"))
                .containsExactly(AttributeValue.of(0), AttributeValue.of(0), AttributeValue.of(2), AttributeValue.of(2));
    }

    @Test
    void aGpuOfUnknownProductGetsNoMultiprocessorCapacityRatherThanAGuess() {
        Gpu odd = GpuFixtures.fullGpu(0, "Mystery Accelerator", 16384, 0);
        NodeInventory inv = new NodeInventory("n", "550.54.15", "12.4", List.of(odd), dev.tangram.core.model.LinkMatrix.of(1, (i, j) -> null));

        DraDevice d = planner.plan("n", inv, Set.of()).devices().getFirst();

        assertThat(d.capacities()).containsOnlyKeys("memory");
    }
}
