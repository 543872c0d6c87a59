package dev.tangram.extender.placement;

import dev.tangram.core.GpuFixtures;
import dev.tangram.core.placement.ContainerDemand;
import dev.tangram.core.placement.GpuDemand;
import dev.tangram.core.placement.NodeView;
import dev.tangram.core.placement.NodeViews;
import dev.tangram.core.placement.PodDemand;
import dev.tangram.core.placement.topology.TopologyPolicy;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class NodeScorerTest {
    private static PodDemand gpus(int n) {
        return new PodDemand("p", 0, 0, List.of(new ContainerDemand("c", "nvidia.com/gpu", new GpuDemand.WholeGpus(n))), Set.of());
    }

    private static NodeView dgxUsing(String name, int used) {
        Set<String> ids = new java.util.HashSet<>();
        for (int i = 0; i < used; i++) {
            ids.add(GpuFixtures.gpuUuid(i));
        }
        return NodeViews.fromInventory(GpuFixtures.dgxH100(name), ids);
    }

    private static List<NodeScorer.HostScore> score(NodeScorer s, PodDemand pod, NodeView... views) {
        List<String> names = java.util.Arrays.stream(views).map(NodeView::name).toList();
        return s.score(names, java.util.Arrays.stream(views).map(Optional::of).toList(), pod);
    }

    @Test
    void scoresStayWithinZeroToTenForEveryPolicyAndWeighting() {
        for (String policy : PolicyCatalog.names()) {
            for (NodeScorer.Weights w : List.of(new NodeScorer.Weights(1, 1, 1), new NodeScorer.Weights(100, 0, 0), new NodeScorer.Weights(0, 5, 7))) {
                NodeScorer s = new NodeScorer(PolicyCatalog.byName(policy, 7), w, PackingScorer.Mode.PACKED);
                for (NodeScorer.HostScore h : score(s, gpus(2), dgxUsing("a", 0), dgxUsing("b", 3), dgxUsing("c", 7), dgxUsing("d", 8))) {
                    assertThat(h.score()).as(policy + " " + w).isBetween(0, 10);
                }
            }
        }
    }

    @Test
    void packedPrefersTheFullerNodeAndSpreadTheEmptierOne() {
        NodeScorer packed = new NodeScorer(PolicyCatalog.byName("topology", 1), new NodeScorer.Weights(0, 0, 1), PackingScorer.Mode.PACKED);
        NodeScorer spread = new NodeScorer(PolicyCatalog.byName("topology", 1), new NodeScorer.Weights(0, 0, 1), PackingScorer.Mode.SPREAD);
        List<NodeScorer.HostScore> p = score(packed, gpus(1), dgxUsing("empty", 0), dgxUsing("busy", 6));
        List<NodeScorer.HostScore> s = score(spread, gpus(1), dgxUsing("empty", 0), dgxUsing("busy", 6));
        assertThat(p.get(1).score()).isGreaterThan(p.get(0).score());
        assertThat(s.get(0).score()).isGreaterThan(s.get(1).score());
    }

    @Test
    void topologyWeightPrefersTheNodeWhereTheGpusAreBetterConnected() {
        NodeScorer s = new NodeScorer(new SerializedPolicy(new TopologyPolicy()), new NodeScorer.Weights(1, 0, 0), PackingScorer.Mode.PACKED);
        NodeView pcie = NodeViews.fromInventory(GpuFixtures.pcieWithPairs("pcie"), Set.of());
        List<NodeScorer.HostScore> r = score(s, gpus(4), dgxUsing("dgx", 0), pcie);
        assertThat(r.get(0).score()).isEqualTo(10);
        assertThat(r.get(1).score()).isLessThan(10);
    }

    @Test
    void nodesWhereThePodDoesNotFitAndPodsWithoutGpusScoreZero() {
        NodeScorer s = new NodeScorer(PolicyCatalog.byName("tangram", 1), new NodeScorer.Weights(1, 1, 1), PackingScorer.Mode.PACKED);
        assertThat(score(s, gpus(4), dgxUsing("full", 6)).getFirst().score()).isZero();
        assertThat(score(s, new PodDemand("p", 0, 0, List.of(), Set.of()), dgxUsing("any", 0)).getFirst().score()).isZero();
        assertThat(s.score(List.of("unknown"), List.of(Optional.empty()), gpus(1)).getFirst().score()).isZero();
    }
}
