package dev.tangram.core.placement.topology;

import dev.tangram.core.GpuFixtures;
import dev.tangram.core.model.Link;
import dev.tangram.core.model.LinkMatrix;
import dev.tangram.core.model.PcieRelation;
import dev.tangram.core.placement.Assignment;
import dev.tangram.core.placement.ContainerDemand;
import dev.tangram.core.placement.GpuDemand;
import dev.tangram.core.placement.NodeView;
import dev.tangram.core.placement.NodeViews;
import dev.tangram.core.placement.PlacementPolicy;
import dev.tangram.core.placement.PodDemand;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class TopologyPolicyTest {
    private final TopologyPolicy policy = new TopologyPolicy();

    private static PodDemand gpus(int n) {
        return new PodDemand("ns/p", 0, 0, List.of(new ContainerDemand("c", "nvidia.com/gpu", new GpuDemand.WholeGpus(n))), Set.of());
    }

    @Test
    void nvlinkBeatsEveryPcieRelationAndMoreLinksBeatFewer() {
        for (PcieRelation r : PcieRelation.values()) {
            assertThat(TopologyScorer.pairScore(new Link(1, PcieRelation.CROSS_CPU))).isGreaterThan(TopologyScorer.pairScore(new Link(0, r)));
        }
        TopologyScorer nv18 = TopologyScorer.of(LinkMatrix.of(2, (i, j) -> new Link(18, PcieRelation.CROSS_CPU)));
        TopologyScorer nv12 = TopologyScorer.of(LinkMatrix.of(2, (i, j) -> new Link(12, PcieRelation.CROSS_CPU)));
        assertThat(nv18.quality(List.of(0, 1))).isEqualTo(1.0);
        assertThat(nv12.quality(List.of(0, 1))).isLessThan(1.0);
        assertThat(TopologyScorer.pairScore(new Link(0, PcieRelation.SINGLE_SWITCH)))
                .isGreaterThan(TopologyScorer.pairScore(new Link(0, PcieRelation.HOST_BRIDGE)));
    }

    @Test
    void atEqualNvlinkTheSameSwitchWinsOverTheSameNumaNode() {
        // GPUs 0-3 all NV12 to each other; 0-1 share a PCIe switch, 2-3 only a NUMA node
        LinkMatrix links = LinkMatrix.of(4, (i, j) -> new Link(12, i / 2 == j / 2
                ? (i < 2 ? PcieRelation.SINGLE_SWITCH : PcieRelation.SAME_NUMA) : PcieRelation.CROSS_CPU));
        NodeView node = new NodeView("n", 1000, 1000, 1000, 1000,
                NodeViews.fromInventory(GpuFixtures.pcieWithPairs("n"), Set.of()).gpus(), links);
        assertThat(policy.place(node, gpus(2)).orElseThrow().assignment().containers().getFirst().gpuPositions()).containsExactly(0, 1);
    }

    @Test
    void choosesTheFreeNvlinkPairOverTwoLooseGpus() {
        NodeView node = NodeViews.fromInventory(GpuFixtures.pcieWithPairs("n"), Set.of(GpuFixtures.gpuUuid(1)));
        PlacementPolicy.ScoredAssignment s = policy.place(node, gpus(2)).orElseThrow();
        assertThat(s.assignment().containers().getFirst().gpuPositions()).containsExactly(2, 3);
        assertThat(s.score()).isEqualTo(TopologyScorer.of(node).quality(List.of(2, 3)));
    }

    @Test
    void keepsFourGpusOnOneNumaNodeWhenTheNvswitchMakesAllPairsEqual() {
        NodeView node = NodeViews.fromInventory(GpuFixtures.dgxH100("n"), Set.of(GpuFixtures.gpuUuid(0)));
        Assignment a = policy.place(node, gpus(4)).orElseThrow().assignment();
        assertThat(a.containers().getFirst().gpuPositions()).containsExactly(4, 5, 6, 7);
        assertThat(policy.place(node, gpus(4)).orElseThrow().score()).isEqualTo(1.0);
        Assignment three = policy.place(node, gpus(3)).orElseThrow().assignment();
        assertThat(three.containers().getFirst().gpuPositions()).containsExactly(1, 2, 3);
    }

    @Test
    void aBetterConnectedNodeScoresHigherForTheSamePod() {
        NodeView dgx = NodeViews.fromInventory(GpuFixtures.dgxH100("a"), Set.of());
        NodeView pcie = NodeViews.fromInventory(GpuFixtures.pcieWithPairs("b"), Set.of());
        assertThat(policy.place(dgx, gpus(4)).orElseThrow().score()).isGreaterThan(policy.place(pcie, gpus(4)).orElseThrow().score());
    }

    @Test
    void answersEmptyWhenThePodCannotFit() {
        NodeView node = NodeViews.fromInventory(GpuFixtures.pcieWithPairs("n"), Set.of(GpuFixtures.gpuUuid(0)));
        assertThat(policy.place(node, gpus(4))).isEmpty();
    }

    @Test
    void sharesFillTheFullestGpuFirst() {
        NodeView node = NodeViews.fromInventory(GpuFixtures.pcieWithPairs("n"), Set.of());
        PodDemand half = new PodDemand("p", 0, 0, List.of(new ContainerDemand("c", "nvidia.com/gpu", new GpuDemand.GpuFraction(500))), Set.of());
        Assignment first = policy.place(node, half).orElseThrow().assignment();
        NodeView after = NodeViews.apply(node, half, first);
        Assignment second = policy.place(after, half).orElseThrow().assignment();
        assertThat(second.containers().getFirst().gpuPositions()).isEqualTo(first.containers().getFirst().gpuPositions());
    }
}
