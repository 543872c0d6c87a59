package dev.tangram.extender.state;

import dev.tangram.core.GpuFixtures;
import dev.tangram.core.placement.topology.TopologyPolicy;
import dev.tangram.extender.KubeFixtures;
import dev.tangram.extender.kube.NodeReader;
import dev.tangram.extender.kube.PodGroupSizes;
import dev.tangram.extender.kube.PodReader;
import dev.tangram.extender.placement.SerializedPolicy;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class GangReservationTest {
    private final MutableClock clock = new MutableClock();
    private final ClusterState state = new ClusterState(clock, Duration.ofMinutes(10), Duration.ofSeconds(60));
    private final PodReader reader = new PodReader(Set.of("nvidia.com/gpu.shared"), PodGroupSizes.NONE);
    private final SerializedPolicy policy = new SerializedPolicy(new TopologyPolicy());
    private final List<String> nodes = List.of("n0", "n1", "n2", "n3");

    GangReservationTest() {
        for (String n : nodes) {
            state.upsertNode(NodeReader.read(KubeFixtures.dgx(n)));
        }
    }

    static final class MutableClock extends Clock {
        Instant now = Instant.parse("2026-01-01T00:00:00Z");

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    private PodInfo member(String gang, int i, int size, int gpus) {
        return reader.read(KubeFixtures.gangPod(gang + "-" + i, gang, size, gpus));
    }

    private GangVerdict filter(PodInfo pod) {
        return state.gangFilter(pod, nodes, n -> Optional.empty(), policy);
    }

    @Test
    void aGangThatFitsIsPlannedWholeOnWholeNodesAndEachMemberFollowsItsSlot() {
        Set<String> planned = new HashSet<>();
        for (int i = 0; i < 4; i++) {
            GangVerdict v = filter(member("train", i, 4, 8));
            assertThat(v).isInstanceOf(GangVerdict.Planned.class);
            planned.add(((GangVerdict.Planned) v).node());
        }
        assertThat(planned).containsExactlyInAnyOrderElementsOf(nodes);
        // Reserved devices are taken for everyone else.
        assertThat(state.snapshot().nodes().values()).allMatch(e -> e.view().orElseThrow().wholeFreeGpus() == 0);
        // A fifth pod of the gang finds no slot.
        assertThat(filter(member("train", 4, 4, 8))).isInstanceOf(GangVerdict.Rejected.class);
    }

    @Test
    void aGangThatCannotFitIsRejectedWholeAndHoldsNothing() {
        GangVerdict v = filter(member("big", 0, 5, 8));
        assertThat(v).isInstanceOf(GangVerdict.Rejected.class);
        assertThat(((GangVerdict.Rejected) v).reason()).contains("4 of 5");
        assertThat(state.gangPlan("default/big")).isEmpty();
        assertThat(state.snapshot().nodes().values()).allMatch(e -> e.view().orElseThrow().wholeFreeGpus() == 8);
    }

    @Test
    void ofTwoGangsThatTogetherExceedTheClusterTheFirstGetsItsWholePlanAndTheOtherWaitsWhole() {
        PodInfo a0 = member("a", 0, 3, 8);
        PodInfo b0 = member("b", 0, 3, 8);
        assertThat(filter(a0)).isInstanceOf(GangVerdict.Planned.class);
        assertThat(filter(b0)).isInstanceOf(GangVerdict.Rejected.class);
        // Interleaved arrivals do not change the winner, and the loser holds nothing.
        for (int i = 1; i < 3; i++) {
            assertThat(filter(member("b", i, 3, 8))).isInstanceOf(GangVerdict.Rejected.class);
            assertThat(filter(member("a", i, 3, 8))).isInstanceOf(GangVerdict.Planned.class);
        }
        assertThat(state.gangPlan("default/b")).isEmpty();
        assertThat(state.gangPlan("default/a").orElseThrow().reservedSlots()).isEqualTo(3);
        long free = state.snapshot().nodes().values().stream().mapToLong(e -> e.view().orElseThrow().wholeFreeGpus()).sum();
        assertThat(free).isEqualTo(8);
    }

    @Test
    void aPlanExpiresAfterItsTtlAndFreesItsDevices() {
        assertThat(filter(member("t", 0, 2, 8))).isInstanceOf(GangVerdict.Planned.class);
        clock.now = clock.now.plusSeconds(59);
        assertThat(state.gangPlan("default/t")).isPresent();
        assertThat(state.snapshot().nodes().values().stream().mapToLong(e -> e.view().orElseThrow().wholeFreeGpus()).sum()).isEqualTo(16);
        clock.now = clock.now.plusSeconds(2);
        assertThat(state.snapshot().nodes().values().stream().mapToLong(e -> e.view().orElseThrow().wholeFreeGpus()).sum()).isEqualTo(32);
        assertThat(state.gangPlan("default/t")).isEmpty();
    }

    @Test
    void bindTakesThePlannedDevicesAndRefusesAnotherNode() {
        PodInfo m0 = member("g", 0, 2, 4);
        String node = ((GangVerdict.Planned) filter(m0)).node();
        String other = nodes.stream().filter(n -> !n.equals(node)).findFirst().orElseThrow();
        assertThat(state.reserve(m0, other, policy)).isInstanceOf(BindReservation.Refused.class);
        BindReservation r = state.reserve(m0, node, policy);
        assertThat(r).isInstanceOf(BindReservation.Reserved.class);
        assertThat(((BindReservation.Reserved) r).decision().containers().getFirst().deviceIds()).hasSize(4);
        // The gang's plan stays for the second member; after it binds the plan is done.
        PodInfo m1 = member("g", 1, 2, 4);
        String node1 = ((GangVerdict.Planned) filter(m1)).node();
        assertThat(state.reserve(m1, node1, policy)).isInstanceOf(BindReservation.Reserved.class);
        state.snapshot();
        assertThat(state.gangPlan("default/g")).isEmpty();
        assertThat(state.figures().assumedDecisions()).isEqualTo(2);
    }

    @Test
    void deletingAMemberReleasesTheGangsReservation() {
        PodInfo m0 = member("d", 0, 2, 8);
        state.upsertPod(m0);
        assertThat(filter(m0)).isInstanceOf(GangVerdict.Planned.class);
        state.removePod(m0.uid());
        assertThat(state.gangPlan("default/d")).isEmpty();
        assertThat(state.snapshot().nodes().values().stream().mapToLong(e -> e.view().orElseThrow().wholeFreeGpus()).sum()).isEqualTo(32);
    }

    @Test
    void assumedDecisionsExpireWhenNeverSeenOnThePod() {
        PodInfo p = reader.read(KubeFixtures.gpuPod("solo", 2));
        assertThat(state.reserve(p, "n0", policy)).isInstanceOf(BindReservation.Reserved.class);
        assertThat(state.snapshot().node("n0").orElseThrow().view().orElseThrow().wholeFreeGpus()).isEqualTo(6);
        clock.now = clock.now.plus(Duration.ofMinutes(11));
        assertThat(state.snapshot().node("n0").orElseThrow().view().orElseThrow().wholeFreeGpus()).isEqualTo(8);
    }

    @Test
    void anUnboundPodsDecisionHoldsItsDevicesOnlyUntilItExpires() {
        PodInfo p = reader.read(KubeFixtures.gpuPod("stuck", 2));
        dev.tangram.core.decision.PlacementDecision d = new dev.tangram.core.decision.PlacementDecision(p.uid(), "n2",
                List.of(new dev.tangram.core.decision.PlacementDecision.ContainerDevices("main", "nvidia.com/gpu",
                        List.of(GpuFixtures.gpuUuid(0), GpuFixtures.gpuUuid(1)))), clock.now);
        PodInfo annotated = new PodInfo(p.uid(), p.namespace(), p.name(), p.demand(), p.gang(), "", "", false, Optional.of(d), List.of());
        state.upsertPod(annotated);
        assertThat(state.snapshot().node("n2").orElseThrow().view().orElseThrow().wholeFreeGpus()).isEqualTo(6);
        // A retried bind of the same pod reuses its decision while it is fresh.
        assertThat(((BindReservation.Reserved) state.reserve(annotated, "n2", policy)).decision()).isEqualTo(d);
        state.release(annotated.uid());
        clock.now = clock.now.plus(Duration.ofMinutes(11));
        assertThat(state.snapshot().node("n2").orElseThrow().view().orElseThrow().wholeFreeGpus()).isEqualTo(8);
        BindReservation again = state.reserve(annotated, "n2", policy);
        assertThat(((BindReservation.Reserved) again).decision().decidedAt()).isEqualTo(clock.now);
    }

    @Test
    void devicesOfTheDgxTopologyStayOnOneNumaNode() {
        PodInfo p = reader.read(KubeFixtures.gpuPod("four", 4));
        BindReservation r = state.reserve(p, "n1", policy);
        List<String> ids = ((BindReservation.Reserved) r).decision().containers().getFirst().deviceIds();
        assertThat(ids).containsExactly(GpuFixtures.gpuUuid(0), GpuFixtures.gpuUuid(1), GpuFixtures.gpuUuid(2), GpuFixtures.gpuUuid(3));
    }
}
