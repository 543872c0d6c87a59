package dev.tangram.extender.placement;

import dev.tangram.core.GpuFixtures;
import dev.tangram.core.placement.ContainerDemand;
import dev.tangram.core.placement.GpuDemand;
import dev.tangram.core.placement.NodeView;
import dev.tangram.core.placement.NodeViews;
import dev.tangram.core.placement.PlacementPolicy;
import dev.tangram.core.placement.PodDemand;
import dev.tangram.core.placement.policy.PlacementFeedback;
import dev.tangram.core.placement.topology.TopologyPolicy;
import dev.tangram.extender.state.NodeShape;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class NodeScorerMemoTest {
    /** A deterministic policy that counts its calls and says which epoch its answers belong to. */
    private static final class CountingPolicy implements PlacementPolicy, PlacementFeedback {
        private final PlacementPolicy delegate = new TopologyPolicy();
        long epoch = 1;
        int calls;

        @Override
        public String name() {
            return "counting";
        }

        @Override
        public Optional<ScoredAssignment> place(NodeView node, PodDemand pod) {
            calls++;
            return delegate.place(node, pod);
        }

        @Override
        public long scoreEpoch() {
            return epoch;
        }
    }

    private static PodDemand pod(String key, int gpus) {
        return new PodDemand(key, 0, 0, List.of(new ContainerDemand("c", "nvidia.com/gpu", new GpuDemand.WholeGpus(gpus))), Set.of());
    }

    private static NodeView dgxUsing(String name, int used) {
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < used; i++) {
            ids.add(GpuFixtures.gpuUuid(i));
        }
        return NodeViews.fromInventory(GpuFixtures.dgxH100(name), ids);
    }

    /** Scores three nodes, two of one shape; shapes are built afresh, as a new snapshot would. */
    private static List<NodeScorer.HostScore> score(NodeScorer scorer, PodDemand pod) {
        List<NodeView> views = List.of(dgxUsing("a", 0), dgxUsing("b", 3), dgxUsing("c", 3));
        return scorer.score(views.stream().map(NodeView::name).toList(), views.stream().map(Optional::of).toList(),
                views.stream().map(NodeShape::of).toList(), pod);
    }

    private static NodeScorer scorer(PlacementPolicy policy) {
        return new NodeScorer(new SerializedPolicy(policy), new NodeScorer.Weights(1, 1, 1), PackingScorer.Mode.PACKED);
    }

    @Test
    void keepsEachShapesValuesAcrossPodsOfOneDemandWhileTheEpochHolds() {
        CountingPolicy policy = new CountingPolicy();
        NodeScorer scorer = scorer(policy);
        List<NodeScorer.HostScore> first = score(scorer, pod("ns/p1", 2));
        assertThat(policy.calls).isEqualTo(2);
        List<NodeScorer.HostScore> second = score(scorer, pod("ns/p2", 2));
        assertThat(policy.calls).isEqualTo(2);
        assertThat(second).isEqualTo(first);
        assertThat(first).extracting(NodeScorer.HostScore::host).containsExactly("a", "b", "c");
    }

    @Test
    void computesAgainWhenTheDemandDiffers() {
        CountingPolicy policy = new CountingPolicy();
        NodeScorer scorer = scorer(policy);
        score(scorer, pod("ns/p1", 2));
        score(scorer, pod("ns/p2", 4));
        assertThat(policy.calls).isEqualTo(4);
    }

    @Test
    void computesAgainOnceThePolicyEpochMoves() {
        CountingPolicy policy = new CountingPolicy();
        NodeScorer scorer = scorer(policy);
        score(scorer, pod("ns/p1", 2));
        policy.epoch = 2;
        score(scorer, pod("ns/p2", 2));
        assertThat(policy.calls).isEqualTo(4);
    }

    @Test
    void keepsNothingAcrossRequestsForAPolicyWithoutAnEpoch() {
        CountingPolicy policy = new CountingPolicy();
        policy.epoch = PlacementFeedback.NO_EPOCH;
        NodeScorer scorer = scorer(policy);
        List<NodeScorer.HostScore> first = score(scorer, pod("ns/p1", 2));
        List<NodeScorer.HostScore> second = score(scorer, pod("ns/p2", 2));
        // within a request shapes are shared by identity (the cluster state interns them; this test does not): 3 + 3
        assertThat(policy.calls).isEqualTo(6);
        assertThat(second).isEqualTo(first);
    }
}
