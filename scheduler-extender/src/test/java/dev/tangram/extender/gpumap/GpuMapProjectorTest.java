package dev.tangram.extender.gpumap;

import dev.tangram.core.GpuFixtures;
import dev.tangram.core.decision.PlacementDecision;
import dev.tangram.core.model.DeviceIds;
import dev.tangram.core.model.Gpu;
import dev.tangram.core.model.Health;
import dev.tangram.core.model.Link;
import dev.tangram.core.model.LinkMatrix;
import dev.tangram.core.model.NodeInventory;
import dev.tangram.core.model.PcieRelation;
import dev.tangram.core.names.TangramNames;
import dev.tangram.core.placement.topology.TopologyPolicy;
import dev.tangram.extender.KubeFixtures;
import dev.tangram.extender.gpumap.GpuMapView.CellState;
import dev.tangram.extender.kube.NodeReader;
import dev.tangram.extender.kube.PodGroupSizes;
import dev.tangram.extender.kube.PodReader;
import dev.tangram.extender.placement.SerializedPolicy;
import dev.tangram.extender.state.BindReservation;
import dev.tangram.extender.state.ClusterState;
import dev.tangram.extender.state.GangVerdict;
import dev.tangram.extender.state.PodInfo;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** The GPU map drawn from cluster state: every cell state, MIG slices, shared replicas, stranded capacity, totals. */
class GpuMapProjectorTest {
    private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
    private static final String MIG_1G = TangramNames.migResource("1g.10gb");

    private final ClusterState state = new ClusterState(Clock.fixed(NOW, ZoneOffset.UTC), Duration.ofMinutes(10), Duration.ofSeconds(60));
    private final PodReader reader = new PodReader(Set.of(TangramNames.RESOURCE_GPU_SHARED), PodGroupSizes.NONE);
    private final SerializedPolicy policy = new SerializedPolicy(new TopologyPolicy());

    /** GPU 0 whole, GPU 1 shared as 4 replicas, GPU 2 in MIG mode (3g.40gb @0, 2g.20gb @4, 1g.10gb @6), GPU 3 unhealthy. */
    private static NodeInventory mixed() {
        Gpu whole = GpuFixtures.h100(0, 0);
        Gpu shared = GpuFixtures.sharedGpu(GpuFixtures.h100(1, 0), 4);
        Gpu mig = GpuFixtures.h100(2, 0).withMig(true, List.of(
                GpuFixtures.migDevice(2, 2, "2g.20gb", 4, 2, 20096),
                GpuFixtures.migDevice(2, 1, "3g.40gb", 0, 4, 40192),
                GpuFixtures.migDevice(2, 3, "1g.10gb", 6, 1, 9856)));
        Gpu broken = GpuFixtures.h100(3, 0).withHealth(Health.unhealthy("Xid 79: GPU has fallen off the bus"));
        return new NodeInventory("mixed", "550.54.15", "12.4", List.of(whole, shared, mig, broken),
                LinkMatrix.of(4, (i, j) -> new Link(0, PcieRelation.SAME_NUMA)));
    }

    private PodInfo pod(String name, String resource, int count) {
        return reader.read(KubeFixtures.pod(name, resource, count, Map.of()));
    }

    /** {@code p} bound to {@code node}, carrying a decision for {@code ids}. */
    private void bound(PodInfo p, String node, String resource, List<String> ids) {
        PlacementDecision d = new PlacementDecision(p.uid(), node, List.of(new PlacementDecision.ContainerDevices("main", resource, ids)), NOW);
        state.upsertPod(new PodInfo(p.uid(), p.namespace(), p.name(), p.demand(), p.gang(), p.problem(), node, false, Optional.of(d), List.of()));
    }

    private static GpuMapView.NodeMap node(GpuMapView view, String name) {
        return view.nodes().stream().filter(n -> n.name().equals(name)).findFirst().orElseThrow();
    }

    private void mixedNodeWithOnePodOnEachKindOfDevice() {
        state.upsertNode(NodeReader.read(KubeFixtures.node(mixed())));
        bound(pod("train", TangramNames.RESOURCE_GPU, 1), "mixed", TangramNames.RESOURCE_GPU, List.of(GpuFixtures.gpuUuid(0)));
        bound(pod("infer", TangramNames.RESOURCE_GPU_SHARED, 3), "mixed", TangramNames.RESOURCE_GPU_SHARED,
                List.of(DeviceIds.replica(GpuFixtures.gpuUuid(1), 0), DeviceIds.replica(GpuFixtures.gpuUuid(1), 1),
                        DeviceIds.replica(GpuFixtures.gpuUuid(1), 2)));
        bound(pod("tiny", MIG_1G, 1), "mixed", MIG_1G, List.of(GpuFixtures.migUuid(2, 3)));
    }

    @Test
    void showsAllocatedSharedMigAndUnhealthyGpusWithTheirHolders() {
        mixedNodeWithOnePodOnEachKindOfDevice();
        List<GpuMapView.GpuCell> cells = node(GpuMapProjector.project(state.occupancy()), "mixed").gpus();

        assertThat(cells).extracting(GpuMapView.GpuCell::state)
                .containsExactly(CellState.ALLOCATED, CellState.PARTIAL, CellState.PARTIAL, CellState.UNHEALTHY);
        assertThat(cells.get(0).holders()).containsExactly("default/train");
        assertThat(cells.get(0).freeMilli()).isZero();

        assertThat(cells.get(1).replicas()).isEqualTo(new GpuMapView.ReplicaUse(3, 0, 4));
        assertThat(cells.get(1).holders()).containsExactly("default/infer");
        assertThat(cells.get(1).freeMilli()).isEqualTo(250);

        GpuMapView.GpuCell mig = cells.get(2);
        assertThat(mig.mig()).isTrue();
        assertThat(mig.slices()).extracting(GpuMapView.MigSlice::profile).containsExactly("3g.40gb", "2g.20gb", "1g.10gb");
        assertThat(mig.slices()).extracting(GpuMapView.MigSlice::start).containsExactly(0, 4, 6);
        assertThat(mig.slices()).extracting(GpuMapView.MigSlice::size).containsExactly(4, 2, 1);
        assertThat(mig.slices()).extracting(GpuMapView.MigSlice::state).containsExactly(CellState.FREE, CellState.FREE, CellState.ALLOCATED);
        assertThat(mig.slices().get(2).holder()).isEqualTo("default/tiny");
        assertThat(mig.freeMilli()).isEqualTo(750);

        assertThat(cells.get(3).note()).contains("Xid 79");
        assertThat(cells.get(3).freeMilli()).isZero();
        assertThat(cells.get(3).replicas()).isNull();
    }

    @Test
    void freeCapacityNoWorkloadShapeCanUseIsStranded() {
        mixedNodeWithOnePodOnEachKindOfDevice();
        GpuMapView view = GpuMapProjector.project(state.occupancy());
        GpuMapView.NodeMap mixed = node(view, "mixed");
        // The workload asks 1 whole GPU, 3 replicas, one 1g.10gb: the last free replica (0.25) and the free 3g and 2g
        // slices (6 of 8 slots, 0.75) fit none of them.
        assertThat(view.workload()).containsExactly("1 × nvidia.com/gpu", "1 × " + MIG_1G, "3 × nvidia.com/gpu.shared");
        assertThat(mixed.gpus()).extracting(GpuMapView.GpuCell::strandedMilli).containsExactly(0, 250, 750, 0);
        assertThat(mixed.freeCapacity()).isEqualTo(1.0);
        assertThat(mixed.strandedCapacity()).isEqualTo(1.0);

        // A pending pod asking for a 3g.40gb slice makes that slice usable: only the replica and the 2g slice stay stranded.
        state.upsertPod(pod("wants-3g", TangramNames.migResource("3g.40gb"), 1));
        GpuMapView.NodeMap after = node(GpuMapProjector.project(state.occupancy()), "mixed");
        assertThat(after.gpus()).extracting(GpuMapView.GpuCell::strandedMilli).containsExactly(0, 250, 250, 0);
        assertThat(after.strandedCapacity()).isEqualTo(0.5);
    }

    @Test
    void wholeFreeGpusTooFewForEveryShapeAreStrandedAndWithNoWorkloadNothingIs() {
        state.upsertNode(NodeReader.read(KubeFixtures.dgx("dgx")));
        assertThat(GpuMapProjector.project(state.occupancy()).totals().strandedCapacity()).isZero();

        PodInfo six = pod("six", TangramNames.RESOURCE_GPU, 6);
        bound(six, "dgx", TangramNames.RESOURCE_GPU, List.of(0, 1, 2, 3, 4, 5).stream().map(GpuFixtures::gpuUuid).toList());
        state.upsertPod(pod("wants-four", TangramNames.RESOURCE_GPU, 4));
        GpuMapView view = GpuMapProjector.project(state.occupancy());
        // Shapes: 6 GPUs and 4 GPUs; the two GPUs left fit neither.
        assertThat(view.totals().freeCapacity()).isEqualTo(2.0);
        assertThat(view.totals().strandedCapacity()).isEqualTo(2.0);

        state.upsertPod(pod("wants-one", TangramNames.RESOURCE_GPU, 1));
        assertThat(GpuMapProjector.project(state.occupancy()).totals().strandedCapacity()).isZero();
    }

    @Test
    void gpusPlannedForAGangShowAsReservedAndABindInProgressAsAllocated() {
        state.upsertNode(NodeReader.read(KubeFixtures.dgx("dgx")));
        PodInfo member = reader.read(KubeFixtures.gangPod("train-0", "train", 2, 2));
        state.upsertPod(member);
        assertThat(state.gangFilter(member, List.of("dgx"), n -> Optional.empty(), policy)).isInstanceOf(GangVerdict.Planned.class);

        GpuMapView.NodeMap planned = node(GpuMapProjector.project(state.occupancy()), "dgx");
        assertThat(planned.gpus()).filteredOn(c -> c.state() == CellState.RESERVED).hasSize(4)
                .allSatisfy(c -> assertThat(c.holders()).containsExactly("gang default/train"));
        assertThat(planned.gpus()).filteredOn(c -> c.state() == CellState.FREE).hasSize(4);

        PodInfo single = pod("single", TangramNames.RESOURCE_GPU, 1);
        state.upsertPod(single);
        assertThat(state.reserve(single, "dgx", policy)).isInstanceOf(BindReservation.Reserved.class);
        GpuMapView view = GpuMapProjector.project(state.occupancy());
        assertThat(node(view, "dgx").gpus()).filteredOn(c -> c.state() == CellState.ALLOCATED).singleElement()
                .satisfies(c -> assertThat(c.holders()).containsExactly("default/single"));
        assertThat(view.totals()).isEqualTo(new GpuMapView.Totals(1, 8, 3, 0, 1, 4, 0, 3.0, 0.0));
    }

    @Test
    void aNodeWithoutInventoryIsListedWithItsProblemAndNoGpus() {
        state.upsertNode(NodeReader.read(new io.fabric8.kubernetes.api.model.NodeBuilder().withNewMetadata().withName("cpu-only")
                .endMetadata().build()));
        GpuMapView view = GpuMapProjector.project(state.occupancy());
        assertThat(view.nodes()).singleElement().satisfies(n -> {
            assertThat(n.problem()).isNotEmpty();
            assertThat(n.gpus()).isEmpty();
        });
        assertThat(view.totals().gpus()).isZero();
    }

    @Test
    void aGpuTakenInTheSnapshotWithoutAHolderIsAllocatedToAPodOfAnotherScheduler() {
        state.upsertNode(NodeReader.read(KubeFixtures.dgx("dgx")));
        PodInfo p = pod("foreign", TangramNames.RESOURCE_GPU, 2);
        state.upsertPod(new PodInfo(p.uid(), p.namespace(), p.name(), p.demand(), p.gang(), p.problem(), "dgx", false,
                Optional.empty(), List.of()));
        GpuMapView.NodeMap dgx = node(GpuMapProjector.project(state.occupancy()), "dgx");
        assertThat(dgx.gpus()).filteredOn(c -> c.state() == CellState.ALLOCATED).hasSize(2)
                .allSatisfy(c -> assertThat(c.note()).isEqualTo(GpuMapProjector.UNATTRIBUTED));
    }
}
