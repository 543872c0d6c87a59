package dev.tangram.demo.grpc;

import dev.tangram.core.names.TangramNames;
import dev.tangram.deviceplugin.DevicePluginDaemon;
import dev.tangram.deviceplugin.config.PluginConfig;
import dev.tangram.deviceplugin.config.SharingConfig;
import dev.tangram.deviceplugin.grpc.UnixSockets;
import dev.tangram.nvml.sim.SimulatedGpuProbe;
import dev.tangram.proto.deviceplugin.v1beta1.RegisterRequest;
import dev.tangram.proto.deviceplugin.v1beta1.RegistrationGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The demo's kubelet against the real device plugin of the L4 node (4 replicas per GPU) over Unix sockets. */
class GrpcKubeletSimulatorIT {
    private GrpcKubeletSimulator kubelet;
    private SimulatedGpuProbe probe;
    private DevicePluginDaemon plugin;
    private final ConcurrentHashMap<String, Integer> announced = new ConcurrentHashMap<>();

    @BeforeEach
    void start() throws Exception {
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "kubelet");
        kubelet = new GrpcKubeletSimulator(dir, announced::put);
        probe = SimulatedGpuProbe.open(Path.of(GrpcKubeletSimulatorIT.class.getResource("/nodes/l4-2.yaml").toURI()));
        plugin = new DevicePluginDaemon(PluginConfig.defaults("l4-inference-01", dir).withHttpPort(-1)
                .withSharing(SharingConfig.none().withReplicas(4)), probe, Clock.systemUTC(), Optional.empty());
        plugin.start();
        await().atMost(Duration.ofSeconds(20)).until(() -> kubelet.available(TangramNames.RESOURCE_GPU_SHARED).size() == 8);
    }

    @AfterEach
    void stop() throws Exception {
        plugin.close();
        probe.close();
        kubelet.close();
    }

    @Test
    void allocatesWhatThePluginPrefersAndNeverGivesADeviceTwice() {
        assertThat(announced).containsEntry(TangramNames.RESOURCE_GPU_SHARED, 8);
        assertThat(kubelet.capacity()).containsExactlyEntriesOf(java.util.Map.of(TangramNames.RESOURCE_GPU_SHARED, 8));
        List<String> first = kubelet.preferred(TangramNames.RESOURCE_GPU_SHARED, 1);
        GrpcKubeletSimulator.ContainerGrant grant = kubelet.allocate(TangramNames.RESOURCE_GPU_SHARED, first);
        assertThat(grant.env()).containsEntry(TangramNames.ENV_GPU_MEMORY_LIMIT_MIB, Long.toString(23034 / 4))
                .containsEntry(TangramNames.ENV_RESOURCE, TangramNames.RESOURCE_GPU_SHARED);
        assertThat(kubelet.available(TangramNames.RESOURCE_GPU_SHARED)).hasSize(7).doesNotContainAnyElementsOf(first);
        assertThat(kubelet.preferred(TangramNames.RESOURCE_GPU_SHARED, 1)).doesNotContainAnyElementsOf(first);

        assertThatThrownBy(() -> kubelet.allocate(TangramNames.RESOURCE_GPU_SHARED, first))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("not available " + first);
        assertThatThrownBy(() -> kubelet.allocate(TangramNames.RESOURCE_GPU, List.of("GPU-x")))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("GPU-x");
        assertThat(kubelet.held()).containsOnlyKeys(TangramNames.RESOURCE_GPU_SHARED);
        assertThat(kubelet.held().get(TangramNames.RESOURCE_GPU_SHARED)).containsExactlyInAnyOrderElementsOf(first);
    }

    @Test
    void refusesARegistrationWithAnUnknownVersionAsInvalidArgument() {
        ManagedChannel c = UnixSockets.channel(kubelet.dir().resolve("kubelet.sock"));
        try {
            assertThatThrownBy(() -> RegistrationGrpc.newBlockingStub(c).withDeadlineAfter(5, TimeUnit.SECONDS)
                    .register(RegisterRequest.newBuilder().setVersion("v1alpha9").setResourceName("nvidia.com/gpu").setEndpoint("x.sock").build()))
                    .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                        assertThat(e.getStatus().getDescription()).contains("version 'v1alpha9'");
                    });
        } finally {
            c.shutdownNow();
        }
    }
}
