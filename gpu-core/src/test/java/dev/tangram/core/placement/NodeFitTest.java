package dev.tangram.core.placement;

import dev.tangram.core.GpuFixtures;
import dev.tangram.core.model.DeviceIds;
import dev.tangram.core.model.Health;
import dev.tangram.core.model.NodeInventory;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class NodeFitTest {
    private static PodDemand pod(GpuDemand... demands) {
        List<ContainerDemand> cs = new java.util.ArrayList<>();
        for (int i = 0; i < demands.length; i++) {
            String resource = switch (demands[i]) {
                case GpuDemand.MigDevices m -> "nvidia.com/mig-" + m.profile();
                case GpuDemand.SharedReplicas r -> "nvidia.com/gpu.shared";
                default -> "nvidia.com/gpu";
            };
            cs.add(new ContainerDemand("c" + i, resource, demands[i]));
        }
        return new PodDemand("ns/p", 0, 0, cs, Set.of());
    }

    @Test
    void picksTheNvlinkPairOnAPcieNodeForTwoGpus() {
        NodeView node = NodeViews.fromInventory(GpuFixtures.pcieWithPairs("n"), Set.of(GpuFixtures.gpuUuid(0)));
        FitResult r = NodeFit.check(node, pod(new GpuDemand.WholeGpus(2)));
        assertThat(r).isInstanceOf(FitResult.Fits.class);
        assertThat(((FitResult.Fits) r).assignment().containers().getFirst().gpuPositions()).containsExactly(2, 3);
    }

    @Test
    void tooManyGpusInAllIsUnresolvableButTooFewFreeIsUnschedulable() {
        NodeView empty = NodeViews.fromInventory(GpuFixtures.pcieWithPairs("n"), Set.of());
        assertThat(NodeFit.check(empty, pod(new GpuDemand.WholeGpus(5)))).isInstanceOf(FitResult.Unresolvable.class);
        NodeView busy = NodeViews.fromInventory(GpuFixtures.pcieWithPairs("n"), Set.of(GpuFixtures.gpuUuid(0), GpuFixtures.gpuUuid(2)));
        FitResult r = NodeFit.check(busy, pod(new GpuDemand.WholeGpus(3)));
        assertThat(r).isInstanceOf(FitResult.Unschedulable.class);
        assertThat(((FitResult.Unschedulable) r).reason()).contains("needs 3 whole GPUs, 2 free");
    }

    @Test
    void containersOfOnePodNeverShareAGpu() {
        NodeView node = NodeViews.fromInventory(GpuFixtures.pcieWithPairs("n"), Set.of());
        FitResult r = NodeFit.check(node, pod(new GpuDemand.WholeGpus(2), new GpuDemand.WholeGpus(2)));
        List<Assignment.ContainerAssignment> cs = ((FitResult.Fits) r).assignment().containers();
        assertThat(cs.get(0).gpuPositions()).doesNotContainAnyElementsOf(cs.get(1).gpuPositions());
        assertThat(NodeFit.check(node, pod(new GpuDemand.WholeGpus(2), new GpuDemand.WholeGpus(3))).fits()).isFalse();
    }

    @Test
    void unhealthyGpusAreNeverChosen() {
        NodeInventory inv = GpuFixtures.pcieWithPairs("n").withGpu(GpuFixtures.gpuUuid(3), g -> g.withHealth(Health.unhealthy("Xid 79")));
        NodeView node = NodeViews.fromInventory(inv, Set.of());
        FitResult r = NodeFit.check(node, pod(new GpuDemand.WholeGpus(3)));
        assertThat(((FitResult.Fits) r).assignment().containers().getFirst().gpuPositions()).containsExactly(0, 1, 2);
        assertThat(NodeFit.check(node, pod(new GpuDemand.WholeGpus(4))).fits()).isFalse();
    }

    @Test
    void replicasStayOnOneGpuAndUseItsFreeReplicas() {
        NodeInventory inv = GpuFixtures.pcieWithPairs("n").withGpu(GpuFixtures.gpuUuid(1), g -> GpuFixtures.sharedGpu(g, 4));
        NodeView node = NodeViews.fromInventory(inv, Set.of(DeviceIds.replica(GpuFixtures.gpuUuid(1), 0)));
        FitResult r = NodeFit.check(node, pod(new GpuDemand.SharedReplicas(3)));
        Assignment.ContainerAssignment c = ((FitResult.Fits) r).assignment().containers().getFirst();
        assertThat(c.deviceIds()).hasSize(3).allMatch(id -> DeviceIds.physical(id).equals(GpuFixtures.gpuUuid(1)));
        assertThat(NodeFit.check(node, pod(new GpuDemand.SharedReplicas(4)))).isInstanceOf(FitResult.Unschedulable.class);
        assertThat(NodeFit.check(node, pod(new GpuDemand.SharedReplicas(5)))).isInstanceOf(FitResult.Unresolvable.class);
    }

    @Test
    void aSharedGpuIsNeverGivenOutWholeEvenWhenAllItsReplicasAreFree() {
        NodeInventory inv = GpuFixtures.pcieWithPairs("n");
        for (int i = 0; i < 4; i++) {
            inv = inv.withGpu(GpuFixtures.gpuUuid(i), g -> GpuFixtures.sharedGpu(g, 4));
        }
        NodeView node = NodeViews.fromInventory(inv, Set.of());
        FitResult r = NodeFit.check(node, pod(new GpuDemand.WholeGpus(1)));
        assertThat(r).isInstanceOf(FitResult.Unresolvable.class);
        assertThat(((FitResult.Unresolvable) r).reason()).contains("0 in all");
        assertThat(NodeFit.check(node, pod(new GpuDemand.SharedReplicas(4))).fits()).isTrue();
    }

    @Test
    void fractionsGoToTheTightestGpuAndApplySubtractsThem() {
        NodeView node = NodeViews.fromInventory(GpuFixtures.pcieWithPairs("n"), Set.of());
        PodDemand half = pod(new GpuDemand.GpuFraction(500));
        Assignment a = ((FitResult.Fits) NodeFit.check(node, half)).assignment();
        NodeView after = NodeViews.apply(node, half, a);
        int pos = a.containers().getFirst().gpuPositions().getFirst();
        assertThat(after.gpus().get(pos).freeMilli()).isEqualTo(500);
        Assignment second = ((FitResult.Fits) NodeFit.check(after, pod(new GpuDemand.GpuFraction(400)))).assignment();
        assertThat(second.containers().getFirst().gpuPositions()).containsExactly(pos);
    }

    @Test
    void migDevicesOfTheProfileAreTakenAndRemoved() {
        NodeInventory inv = GpuFixtures.dgxH100("n").withGpu(GpuFixtures.gpuUuid(0), g -> g.withMig(true, List.of(
                GpuFixtures.migDevice(0, 1, "3g.40gb", 0, 4, 40960), GpuFixtures.migDevice(0, 2, "1g.10gb", 4, 1, 10240))));
        NodeView node = NodeViews.fromInventory(inv, Set.of());
        PodDemand p = pod(new GpuDemand.MigDevices("1g.10gb", 1));
        Assignment a = ((FitResult.Fits) NodeFit.check(node, p)).assignment();
        assertThat(a.containers().getFirst().deviceIds()).containsExactly(GpuFixtures.migUuid(0, 2));
        NodeView after = NodeViews.apply(node, p, a);
        assertThat(NodeFit.check(after, p)).isInstanceOf(FitResult.Unschedulable.class);
        assertThat(after.gpus().getFirst().usedMigSlots()).isEqualTo(1 << 4);
        // The MIG GPU is never given out whole.
        assertThat(NodeFit.check(node, pod(new GpuDemand.WholeGpus(8))).fits()).isFalse();
    }

    @Test
    void cpuMemoryAndModelAreChecked() {
        NodeView node = new NodeView("n", 4000, 1000, 8192, 8192, NodeViews.fromInventory(GpuFixtures.pcieWithPairs("n"), Set.of()).gpus(),
                GpuFixtures.pcieWithPairs("n").links());
        assertThat(NodeFit.check(node, new PodDemand("p", 2000, 0, List.of(), Set.of()))).isInstanceOf(FitResult.Unschedulable.class);
        assertThat(NodeFit.check(node, new PodDemand("p", 8000, 0, List.of(), Set.of()))).isInstanceOf(FitResult.Unresolvable.class);
        PodDemand wrongModel = new PodDemand("p", 0, 0, List.of(new ContainerDemand("c", "nvidia.com/gpu", new GpuDemand.WholeGpus(1))),
                Set.of("V100M32"));
        assertThat(NodeFit.check(node, wrongModel)).isInstanceOf(FitResult.Unresolvable.class);
    }
}
