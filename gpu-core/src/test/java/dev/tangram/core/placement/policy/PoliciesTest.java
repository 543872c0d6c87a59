package dev.tangram.core.placement.policy;

import dev.tangram.core.placement.Assignment;
import dev.tangram.core.placement.NodeView;
import dev.tangram.core.placement.PlacementPolicy;
import dev.tangram.core.placement.PodDemand;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static dev.tangram.core.placement.policy.PolicyFixtures.cpuOnly;
import static dev.tangram.core.placement.policy.PolicyFixtures.fraction;
import static dev.tangram.core.placement.policy.PolicyFixtures.node;
import static dev.tangram.core.placement.policy.PolicyFixtures.whole;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PoliciesTest {
    private static final PolicyOptions OPTIONS = PolicyOptions.fromTrace(7, Map.of(TaskShape.of(1000, 0, 500, 1), 1.0));

    private static double score(PlacementPolicy p, NodeView n, PodDemand pod) {
        return p.place(n, pod).orElseThrow().score();
    }

    private static List<Integer> gpus(PlacementPolicy p, NodeView n, PodDemand pod) {
        return p.place(n, pod).orElseThrow().assignment().containers().getFirst().gpuPositions();
    }

    @Test
    void everyNamedPolicyIsBuiltAndAnUnknownNameIsRefusedWithTheKnownOnes() {
        for (String name : Policies.NAMES) {
            assertThat(Policies.byName(name, OPTIONS).name()).isEqualTo(name);
        }
        assertThatThrownBy(() -> Policies.byName("worstfit", OPTIONS)).hasMessageContaining("unknown placement policy 'worstfit'")
                .hasMessageContaining("bestfit");
    }

    @Test
    void noPolicyPlacesAPodWhereItDoesNotFit() {
        NodeView full = node("n", 8000, 200, 0);
        for (String name : Policies.NAMES) {
            PlacementPolicy p = Policies.byName(name, OPTIONS);
            assertThat(p.place(full, fraction(1000, 500))).as(name).isEmpty();
            assertThat(p.place(full, whole(1000, 1))).as(name).isEmpty();
            assertThat(p.place(node("n", 500, 1000), cpuOnly(1000))).as(name).isEmpty();
        }
    }

    @Test
    void bestFitScoresTheNodeLeftFullestHigherAndTakesTheTightestGpu() {
        BestFitPolicy p = new BestFitPolicy();
        // leftover = 0.5 * (cpuFree - cpu)/128000 + 0.5 * (gpuFree - gpu)/8000
        NodeView roomy = node("a", 64_000, 1000, 1000);
        NodeView tight = node("b", 64_000, 1000, 600);
        assertThat(score(p, roomy, fraction(0, 500))).isEqualTo((long) ((1 - (0.5 * 0.5 + 0.5 * 1500 / 8000.0)) * 100));
        assertThat(score(p, tight, fraction(0, 500))).isGreaterThan(score(p, roomy, fraction(0, 500)));
        assertThat(gpus(p, tight, fraction(0, 500))).containsExactly(1);
    }

    @Test
    void dotProductPrefersTheNodeWhoseFreeResourcesAlignLeastWithTheRequest() {
        DotProductPolicy p = new DotProductPolicy();
        NodeView idle = node("a", 128_000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000);
        NodeView busy = node("b", 16_000, 1000, 0, 0, 0, 0, 0, 0, 0);
        // dot = (cpuFree/128k * cpu/128k + gpuFree/8k * gpu/8k) / 2; score = int(100 * (1 - dot))
        assertThat(score(p, idle, whole(8000, 1))).isEqualTo(90); // dot = (1 * 1/16 + 1 * 1/8) / 2 = 0.09375
        assertThat(score(p, busy, whole(8000, 1))).isEqualTo(98); // dot = (1/8 * 1/16 + 1/8 * 1/8) / 2 = 0.0117
    }

    @Test
    void packingPrefersSharedGpusThenUsedNodesThenIdleNodes() {
        GpuPackingPolicy p = new GpuPackingPolicy();
        double shared = score(p, node("a", 8000, 1000, 600), fraction(0, 500));
        double usedNode = score(p, node("b", 8000, 1000, 300), fraction(0, 500));
        double idle = score(p, node("c", 8000, 1000, 1000), fraction(0, 500));
        assertThat(shared).isEqualTo(100 - 60 / 10);
        assertThat(usedNode).isEqualTo(49);
        assertThat(idle).isEqualTo(31);
        assertThat(score(p, node("d", 8000, 1000), cpuOnly(100))).isZero();
    }

    @Test
    void clusteringGathersPodsOfOneKindOnceItHasSeenThemBound() {
        GpuClusteringPolicy p = new GpuClusteringPolicy();
        NodeView a = node("a", 8000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000);
        NodeView b = node("b", 8000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000);
        assertThat(score(p, a, fraction(0, 500))).isEqualTo(25);
        p.bound(fraction(0, 500), new Assignment("a", List.of()));
        assertThat(score(p, a, fraction(0, 500))).isEqualTo(75);
        // The fill term is 25 * (8000 - free) / 8000: a two-GPU node counts as three-quarters full when idle.
        assertThat(score(p, node("c", 8000, 1000, 1000), fraction(0, 500))).isEqualTo(18 + 25);
        assertThat(score(p, a, whole(0, 1))).isEqualTo(0);
        assertThat(score(p, b, whole(0, 1))).isEqualTo(25);
    }

    @Test
    void randomIsReproducibleForASeedAndSpreadsOverGpus() {
        NodeView n = node("n", 8000, 1000, 1000, 1000, 1000);
        RandomPolicy one = new RandomPolicy(3);
        RandomPolicy two = new RandomPolicy(3);
        java.util.Set<Integer> seen = new java.util.HashSet<>();
        for (int i = 0; i < 50; i++) {
            PlacementPolicy.ScoredAssignment x = one.place(n, fraction(0, 500)).orElseThrow();
            PlacementPolicy.ScoredAssignment y = two.place(n, fraction(0, 500)).orElseThrow();
            assertThat(x).isEqualTo(y);
            seen.add(x.assignment().containers().getFirst().gpuPositions().getFirst());
        }
        assertThat(seen).hasSize(4);
    }

    @Test
    void weightingByGpuDemandCountsSharesByTheirSizeWholeGpusByOnePlusTheirCountAndCpuOnlyTasksOnce() {
        TaskShape share = TaskShape.of(1000, 0, 250, 1);
        TaskShape eight = TaskShape.of(88_000, 0, 1000, 8);
        TaskShape cpu = TaskShape.of(4000, 0, 0, 0);
        PolicyOptions weighted = PolicyOptions.fromTrace(7, Map.of(share, 40.0, eight, 2.0, cpu, 3.0)).weightedByGpuDemand(1);
        assertThat(weighted.seedWorkload()).containsEntry(share, 10.0).containsEntry(eight, 18.0).containsEntry(cpu, 3.0);
    }
}
