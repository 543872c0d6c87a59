package dev.tangram.core.placement.topology;

import dev.tangram.core.GpuFixtures;
import dev.tangram.core.model.Link;
import dev.tangram.core.model.LinkMatrix;
import dev.tangram.core.model.PcieRelation;
import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class GpuSetAllocatorTest {
    @Test
    void scoresAPairByNvlinksThenPcieCloseness() {
        assertThat(TopologyScorer.pairScore(new Link(4, PcieRelation.CROSS_CPU))).isEqualTo(410);
        assertThat(TopologyScorer.pairScore(new Link(0, PcieRelation.SINGLE_SWITCH))).isEqualTo(50);
        assertThat(TopologyScorer.pairScore(new Link(0, PcieRelation.SAME_NUMA))).isGreaterThan(TopologyScorer.pairScore(new Link(0, PcieRelation.CROSS_CPU)));
    }

    @Test
    void picksTheNvlinkPairOnAPcieNode() {
        GpuSetAllocator a = new GpuSetAllocator(TopologyScorer.of(GpuFixtures.pcieWithPairs("n").links()));
        assertThat(a.choose(Set.of(0, 1, 2, 3), Set.of(), 2)).hasValueSatisfying(p -> assertThat(p).containsExactly(0, 1));
        assertThat(a.choose(Set.of(0, 2, 3), Set.of(), 2)).hasValueSatisfying(p -> assertThat(p).containsExactly(2, 3));
        // must-include GPU 3 pulls in its NVLink partner
        assertThat(a.choose(Set.of(0, 1, 2, 3), Set.of(3), 2)).hasValueSatisfying(p -> assertThat(p).containsExactly(2, 3));
    }

    @Test
    void keepsASetOnOneNumaNodeWhenNvlinkIsEqual() {
        GpuSetAllocator a = new GpuSetAllocator(TopologyScorer.of(GpuFixtures.dgxH100("n").links()));
        assertThat(a.choose(Set.of(2, 3, 4, 5, 6), Set.of(), 3)).hasValueSatisfying(p -> assertThat(p).containsExactly(4, 5, 6));
        assertThat(a.choose(Set.of(0, 1, 2, 3, 4, 5, 6, 7), Set.of(5), 4)).hasValueSatisfying(p -> assertThat(p).containsExactly(4, 5, 6, 7));
    }

    @Test
    void prefersASingleSwitchOverAHostBridge() {
        LinkMatrix links = LinkMatrix.of(4, (i, j) -> new Link(0, (i == 1 && j == 3) ? PcieRelation.SINGLE_SWITCH : PcieRelation.HOST_BRIDGE));
        assertThat(new GpuSetAllocator(TopologyScorer.of(links)).choose(Set.of(0, 1, 2, 3), Set.of(), 2))
                .hasValueSatisfying(p -> assertThat(p).containsExactly(1, 3));
    }

    @Test
    void answersEmptyWhenTheSizeCannotBeMet() {
        GpuSetAllocator a = new GpuSetAllocator(TopologyScorer.of(GpuFixtures.pcieWithPairs("n").links()));
        assertThat(a.choose(Set.of(0, 1), Set.of(), 3)).isEmpty();
        assertThat(a.choose(Set.of(0, 1), Set.of(0, 1), 1)).isEmpty();
    }

    @Test
    void searchesGreedilyOnLargeNodesAndStillFindsTheNvlinkGroup() {
        // 32 GPUs in NVLink groups of 4; no exhaustive search for 8 of 32
        LinkMatrix links = LinkMatrix.of(32, (i, j) -> i / 4 == j / 4 ? new Link(12, PcieRelation.SAME_NUMA) : new Link(0, PcieRelation.CROSS_CPU));
        var chosen = new GpuSetAllocator(TopologyScorer.of(links)).choose(java.util.stream.IntStream.range(0, 32).boxed()
                .collect(java.util.stream.Collectors.toSet()), Set.of(9), 4);
        assertThat(chosen).hasValueSatisfying(p -> assertThat(p).containsExactly(8, 9, 10, 11));
        assertThat(GpuSetAllocator.combinations(31, 3)).isLessThanOrEqualTo(GpuSetAllocator.EXHAUSTIVE_LIMIT);
        assertThat(GpuSetAllocator.combinations(32, 8)).isGreaterThan(GpuSetAllocator.EXHAUSTIVE_LIMIT);
    }
}
