package dev.tangram.extender;

import dev.tangram.core.GpuFixtures;
import dev.tangram.core.decision.PlacementDecision;
import dev.tangram.core.decision.PlacementDecisionCodec;
import dev.tangram.core.names.TangramNames;
import dev.tangram.extender.kube.NodeReader;
import dev.tangram.extender.kube.PodGroupSizes;
import dev.tangram.extender.kube.PodReader;
import dev.tangram.extender.placement.NodeFilter;
import dev.tangram.extender.placement.NodeScorer;
import dev.tangram.extender.placement.PackingScorer;
import dev.tangram.extender.placement.PolicyCatalog;
import dev.tangram.extender.state.ClusterState;
import dev.tangram.extender.state.PodInfo;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class GpuExtenderTest {
    private final ClusterState state = new ClusterState(Clock.systemUTC(), Duration.ofMinutes(10), Duration.ofMinutes(1));
    private final PodReader reader = new PodReader(Set.of(TangramNames.RESOURCE_GPU_SHARED), PodGroupSizes.NONE);
    private final GpuExtender extender = new GpuExtender(state, new NodeScorer(PolicyCatalog.byName("tangram", 1),
            new NodeScorer.Weights(1, 1, 1), PackingScorer.Mode.PACKED), PodBinder.NO_API, ExtenderMetrics.NONE, Optional::empty);

    GpuExtenderTest() {
        state.upsertNode(NodeReader.read(KubeFixtures.dgx("n0")));
        state.upsertNode(NodeReader.read(KubeFixtures.dgx("n1")));
    }

    /** A pod bound to {@code node} holding GPUs {@code from..to-1}. */
    private PodInfo holder(String name, String node, int from, int to) {
        List<String> ids = new java.util.ArrayList<>();
        for (int i = from; i < to; i++) {
            ids.add(GpuFixtures.gpuUuid(i));
        }
        Pod p = KubeFixtures.gpuPod(name, to - from);
        PlacementDecision d = new PlacementDecision(p.getMetadata().getUid(), node,
                List.of(new PlacementDecision.ContainerDevices("main", TangramNames.RESOURCE_GPU, ids)), Instant.now());
        Pod bound = new PodBuilder(p).editMetadata().addToAnnotations(TangramNames.ANNOTATION_PLACEMENT, PlacementDecisionCodec.write(d))
                .endMetadata().editSpec().withNodeName(node).endSpec().build();
        PodInfo info = reader.read(bound);
        state.upsertPod(info);
        return info;
    }

    @Test
    void prioritizeAfterFilterScoresAsALookupOfEveryNameDoes() {
        holder("some", "n0", 0, 3);
        PodInfo pod = reader.read(KubeFixtures.gpuPod("p", 2));
        NodeFilter.Outcome outcome = extender.filter(pod, List.of("n0", "ghost", "n1"), Optional.empty());
        assertThat(outcome.passed()).containsExactly("n0", "n1");
        GpuExtender withoutFilter = new GpuExtender(state, new NodeScorer(PolicyCatalog.byName("tangram", 1),
                new NodeScorer.Weights(1, 1, 1), PackingScorer.Mode.PACKED), PodBinder.NO_API, ExtenderMetrics.NONE, Optional::empty);
        assertThat(extender.prioritize(pod, outcome.passed(), Optional.empty()))
                .isEqualTo(withoutFilter.prioritize(pod, outcome.passed(), Optional.empty()));
        // names in another order than filter's (not reusable) and an unknown name are looked up, not taken from filter
        assertThat(extender.prioritize(pod, List.of("n1", "ghost", "n0"), Optional.empty()))
                .isEqualTo(withoutFilter.prioritize(pod, List.of("n1", "ghost", "n0"), Optional.empty()));
    }

    @Test
    void prioritizeSeesNodesThatChangedSinceFilter() {
        PodInfo pod = reader.read(KubeFixtures.gpuPod("p", 2));
        assertThat(extender.filter(pod, List.of("n0", "n1"), Optional.empty()).passed()).containsExactly("n0", "n1");
        holder("all", "n1", 0, 8);
        List<NodeScorer.HostScore> scores = extender.prioritize(pod, List.of("n0", "n1"), Optional.empty());
        assertThat(scores.get(0).score()).isPositive();
        assertThat(scores.get(1).score()).isZero();
    }

    @Test
    void preemptKeepsOnlyTheVictimsWhoseGpusThePodNeeds() {
        PodInfo small = holder("small", "n0", 0, 2);
        PodInfo big = holder("big", "n0", 2, 8);
        PodInfo cpuOnly = reader.read(new PodBuilder(KubeFixtures.gpuPod("cpu", 1)).editSpec().editFirstContainer().editResources()
                .removeFromLimits(TangramNames.RESOURCE_GPU).endResources().endContainer().withNodeName("n0").endSpec().build());
        PodInfo pod = reader.read(KubeFixtures.gpuPod("urgent", 2));
        Map<String, List<String>> out = extender.preempt(pod, Map.of("n0", List.of(big.uid(), small.uid(), cpuOnly.uid())), Map.of());
        // Evicting "small" alone frees the two GPUs needed; "big" is reprieved; the CPU-only victim stays as proposed.
        assertThat(out.get("n0")).containsExactly(small.uid(), cpuOnly.uid());
    }

    @Test
    void preemptDropsNodesWhereTheVictimsDoNotFreeEnough() {
        PodInfo small = holder("small", "n0", 0, 2);
        holder("rest", "n0", 2, 8);
        PodInfo pod = reader.read(KubeFixtures.gpuPod("urgent", 4));
        assertThat(extender.preempt(pod, Map.of("n0", List.of(small.uid())), Map.of())).doesNotContainKey("n0");
    }

    @Test
    void filterNamesTheReasonForEveryRejectedNode() {
        holder("full", "n0", 0, 8);
        PodInfo pod = reader.read(KubeFixtures.gpuPod("p", 9));
        NodeFilter.Outcome o = extender.filter(pod, List.of("n0", "n1", "ghost"), Optional.empty());
        assertThat(o.passed()).isEmpty();
        assertThat(o.unresolvable()).containsKeys("n0", "n1");
        assertThat(o.unresolvable().get("n1")).contains("needs 9 whole GPUs, 8 free and 8 in all");
        assertThat(o.failed().get("ghost")).contains("unknown node ghost");
        NodeFilter.Outcome four = extender.filter(reader.read(KubeFixtures.gpuPod("q", 4)), List.of("n0", "n1"), Optional.empty());
        assertThat(four.passed()).containsExactly("n1");
        assertThat(four.failed().get("n0")).contains("needs 4 whole GPUs, 0 free");
    }

    @Test
    void aSuccessfulBindWritesTheDecisionAndTellsTheLearningPolicyWhatWasBound() {
        List<PlacementDecision> written = new java.util.ArrayList<>();
        List<dev.tangram.core.placement.Assignment> told = new java.util.ArrayList<>();
        class Recording implements dev.tangram.core.placement.PlacementPolicy, dev.tangram.core.placement.policy.PlacementFeedback {
            final dev.tangram.core.placement.topology.TopologyPolicy inner = new dev.tangram.core.placement.topology.TopologyPolicy();

            @Override
            public String name() {
                return "recording";
            }

            @Override
            public Optional<ScoredAssignment> place(dev.tangram.core.placement.NodeView node, dev.tangram.core.placement.PodDemand pod) {
                return inner.place(node, pod);
            }

            @Override
            public void bound(dev.tangram.core.placement.PodDemand pod, dev.tangram.core.placement.Assignment assignment) {
                told.add(assignment);
            }
        }
        PodBinder recorder = new PodBinder() {
            @Override
            public Optional<PodInfo> fetch(String namespace, String name) {
                return Optional.empty();
            }

            @Override
            public void bind(PodInfo pod, String node, Optional<PlacementDecision> decision) {
                decision.ifPresent(written::add);
            }
        };
        GpuExtender withRecorder = new GpuExtender(state, new NodeScorer(new dev.tangram.extender.placement.SerializedPolicy(new Recording()),
                new NodeScorer.Weights(1, 1, 1), PackingScorer.Mode.PACKED), recorder, ExtenderMetrics.NONE, Optional::empty);
        PodInfo pod = reader.read(KubeFixtures.gpuPod("learn", 4));
        state.upsertPod(pod);
        assertThat(withRecorder.bind("default", "learn", pod.uid(), "n1")).isEmpty();
        assertThat(written).hasSize(1);
        assertThat(written.getFirst().containers().getFirst().deviceIds()).hasSize(4);
        assertThat(told).hasSize(1);
        assertThat(told.getFirst().node()).isEqualTo("n1");
        assertThat(withRecorder.bind("default", "learn", "another-uid", "n1")).get().asString().contains("does not exist");
    }

    @Test
    void podsWithoutGpusPassEverywhereAndScoreZero() {
        Pod web = new PodBuilder(KubeFixtures.gpuPod("web", 1)).editSpec().editFirstContainer().editResources()
                .removeFromLimits(TangramNames.RESOURCE_GPU).endResources().endContainer().endSpec().build();
        PodInfo pod = reader.read(web);
        assertThat(extender.filter(pod, List.of("n0", "x"), Optional.empty()).passed()).containsExactly("n0", "x");
        assertThat(extender.prioritize(pod, List.of("n0"), Optional.empty())).containsExactly(new NodeScorer.HostScore("n0", 0));
    }
}
