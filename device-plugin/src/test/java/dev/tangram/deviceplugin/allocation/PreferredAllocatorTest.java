package dev.tangram.deviceplugin.allocation;

import dev.tangram.core.GpuFixtures;
import dev.tangram.core.placement.topology.TopologyScorer;
import dev.tangram.core.decision.PlacementDecision;
import dev.tangram.core.model.NodeInventory;
import dev.tangram.core.names.TangramNames;
import dev.tangram.deviceplugin.MutableClock;
import dev.tangram.deviceplugin.config.MigStrategy;
import dev.tangram.deviceplugin.config.SharedPolicy;
import dev.tangram.deviceplugin.config.SharingConfig;
import dev.tangram.deviceplugin.resources.PluginResource;
import dev.tangram.deviceplugin.resources.ResourcePlanner;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static dev.tangram.core.GpuFixtures.gpuUuid;
import static org.assertj.core.api.Assertions.assertThat;

class PreferredAllocatorTest {
    private final NodeInventory node = GpuFixtures.pcieWithPairs("n");
    private final PluginResource gpus = ResourcePlanner.plan(node, MigStrategy.NONE, SharingConfig.none()).getFirst();
    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final List<String> all = List.of(gpuUuid(0), gpuUuid(1), gpuUuid(2), gpuUuid(3));

    private PreferredAllocator allocator(PlacementDecisions decisions) {
        return new PreferredAllocator(gpus, TopologyScorer.of(node.links()), new DecisionMatcher(decisions, clock, Duration.ofMinutes(5)),
                SharedPolicy.SPREAD);
    }

    private PlacementDecision decision(String uid, List<String> ids, Instant at) {
        return new PlacementDecision(uid, "n", List.of(new PlacementDecision.ContainerDevices("c", TangramNames.RESOURCE_GPU, ids)), at);
    }

    @Test
    void honoursExtenderDecisionWhenAllIdsAreAvailable() {
        var d = decision("uid-1", List.of(gpuUuid(0), gpuUuid(2)), clock.instant());
        var pick = allocator(() -> List.of(d)).choose(all, List.of(), 2);
        assertThat(pick.deviceIds()).containsExactly(gpuUuid(0), gpuUuid(2));
        assertThat(pick.how()).contains("uid-1");
    }

    @Test
    void ignoresADecisionThatDoesNotFitTheRequest() {
        var d = decision("uid-1", List.of(gpuUuid(0), gpuUuid(2)), clock.instant());
        PreferredAllocator a = allocator(() -> List.of(d));
        assertThat(a.choose(List.of(gpuUuid(0), gpuUuid(1), gpuUuid(3)), List.of(), 2).deviceIds()).containsExactly(gpuUuid(0), gpuUuid(1));
        assertThat(a.choose(all, List.of(gpuUuid(3)), 2).deviceIds()).containsExactlyInAnyOrder(gpuUuid(2), gpuUuid(3));
        assertThat(a.choose(all, List.of(), 3).how()).isEqualTo("topology");
        clock.advance(Duration.ofMinutes(6));
        assertThat(a.choose(all, List.of(), 2).how()).isEqualTo("topology");
    }

    @Test
    void neverFailsAndFallsBackToAValidPick() {
        PlacementDecisions broken = () -> {
            throw new IllegalStateException("informer exploded");
        };
        var pick = allocator(broken).choose(all, List.of(gpuUuid(3)), 2);
        assertThat(pick.how()).isEqualTo("fallback");
        assertThat(pick.deviceIds()).containsExactly(gpuUuid(3), gpuUuid(0));
        var unknown = allocator(PlacementDecisions.NONE).choose(List.of("GPU-x", gpuUuid(1)), List.of(), 1);
        assertThat(unknown.how()).isEqualTo("fallback");
        assertThat(unknown.deviceIds()).hasSize(1);
    }
}
