package dev.tangram.deviceplugin.grpc;

import dev.tangram.core.GpuFixtures;
import dev.tangram.deviceplugin.NodeState;
import dev.tangram.deviceplugin.allocation.DecisionMatcher;
import dev.tangram.deviceplugin.allocation.PlacementDecisions;
import dev.tangram.deviceplugin.config.MigStrategy;
import dev.tangram.deviceplugin.config.SharedPolicy;
import dev.tangram.deviceplugin.config.SharingConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DevicePluginServerTest {
    @TempDir
    Path dir;

    private DevicePluginServer server(Path socket) {
        NodeState state = new NodeState(GpuFixtures.pcieWithPairs("n"), MigStrategy.NONE, SharingConfig.none());
        GrpcDevicePluginService service = new GrpcDevicePluginService("nvidia.com/gpu", state,
                new DecisionMatcher(PlacementDecisions.NONE, Clock.systemUTC(), Duration.ofMinutes(5)), null, SharedPolicy.SPREAD,
                AllocationObserver.NONE, () -> {
                });
        return new DevicePluginServer(service, socket);
    }

    @Test
    void refusesASocketPathTooLongForTheKernelAndCreatesNothing() {
        Path deep = dir.resolve("d".repeat(120)).resolve("tangram-gpu.sock");
        assertThatThrownBy(() -> server(deep).start()).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("bytes, more than the 107");
        assertThat(Files.exists(deep)).isFalse();
    }

    @Test
    void servesOnAShortSocketPathAndAnswersOverIt() {
        DevicePluginServer s = server(dir.resolve("gpu.sock"));
        s.start();
        try {
            assertThat(s.running()).isTrue();
            assertThat(Files.exists(dir.resolve("gpu.sock"))).isTrue();
        } finally {
            s.stop();
        }
    }
}
