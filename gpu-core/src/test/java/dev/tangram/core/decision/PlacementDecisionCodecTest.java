package dev.tangram.core.decision;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PlacementDecisionCodecTest {
    private final PlacementDecision decision = new PlacementDecision("uid-1", "node-a", List.of(
            new PlacementDecision.ContainerDevices("trainer", "nvidia.com/gpu", List.of("GPU-a", "GPU-b")),
            new PlacementDecision.ContainerDevices("sidecar", "nvidia.com/gpu.shared", List.of("GPU-c::1"))),
            Instant.ofEpochMilli(1_700_000_000_000L));

    @Test
    void roundTrips() {
        assertThat(PlacementDecisionCodec.read(PlacementDecisionCodec.write(decision))).isEqualTo(decision);
    }

    @Test
    void matchesAContainerRequestWhoseDevicesAreAllAvailable() {
        assertThat(decision.match("nvidia.com/gpu", 2, List.of("GPU-a", "GPU-b", "GPU-z"))).get()
                .extracting(PlacementDecision.ContainerDevices::container).isEqualTo("trainer");
        assertThat(decision.match("nvidia.com/gpu", 2, List.of("GPU-a", "GPU-z"))).isEmpty();
        assertThat(decision.match("nvidia.com/gpu", 1, List.of("GPU-a", "GPU-b"))).isEmpty();
    }

    @Test
    void expiresAfterItsTtl() {
        assertThat(decision.expired(decision.decidedAt().plusSeconds(59), Duration.ofSeconds(60))).isFalse();
        assertThat(decision.expired(decision.decidedAt().plusSeconds(61), Duration.ofSeconds(60))).isTrue();
    }

    @Test
    void rejectsAMissingPodUid() {
        assertThatThrownBy(() -> PlacementDecisionCodec.read("{\"v\":1,\"node\":\"n\",\"decidedAt\":1,\"containers\":[]}"))
                .hasMessage("placement.podUid is missing");
    }
}
