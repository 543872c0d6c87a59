package dev.tangram.deviceplugin;

import dev.tangram.core.model.DeviceIds;
import dev.tangram.core.model.Gpu;
import dev.tangram.core.names.TangramNames;
import dev.tangram.deviceplugin.config.HealthConfig;
import dev.tangram.deviceplugin.config.MigStrategy;
import dev.tangram.deviceplugin.config.PluginConfig;
import dev.tangram.deviceplugin.config.SharingConfig;
import dev.tangram.deviceplugin.resources.PluginResource;
import dev.tangram.deviceplugin.resources.ResourcePlanner;
import dev.tangram.nvml.ExampleNodes;
import dev.tangram.nvml.sim.SimulatedGpuProbe;
import dev.tangram.proto.deviceplugin.v1beta1.AllocateRequest;
import dev.tangram.proto.deviceplugin.v1beta1.AllocateResponse;
import dev.tangram.proto.deviceplugin.v1beta1.ContainerAllocateRequest;
import dev.tangram.proto.deviceplugin.v1beta1.ContainerPreferredAllocationRequest;
import dev.tangram.proto.deviceplugin.v1beta1.Device;
import dev.tangram.proto.deviceplugin.v1beta1.PreferredAllocationRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The plugin against a kubelet harness over real Unix sockets, with simulated nodes from {@code examples/nodes}. */
class DevicePluginIT {
    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    private KubeletHarness kubelet() throws Exception {
        KubeletHarness k = new KubeletHarness();
        open.add(k);
        return k;
    }

    private DevicePluginDaemon start(PluginConfig config, SimulatedGpuProbe probe, Clock clock) {
        DevicePluginDaemon d = new DevicePluginDaemon(config, probe, clock, Optional.empty());
        open.add(probe);
        open.add(d);
        d.start();
        return d;
    }

    private static PluginConfig config(KubeletHarness k) {
        return PluginConfig.defaults("node-a", k.dir()).withHttpPort(-1);
    }

    static Stream<Arguments> everyNodeAndStrategy() {
        List<Arguments> out = new ArrayList<>();
        for (Path node : ExampleNodes.all()) {
            for (MigStrategy mig : MigStrategy.values()) {
                for (int replicas : new int[]{1, 3}) {
                    out.add(Arguments.of(node.getFileName().toString(), mig, replicas));
                }
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} mig={1} replicas={2}")
    @MethodSource("everyNodeAndStrategy")
    void servesEveryResourceKindOfEveryExampleNode(String node, MigStrategy mig, int replicas) throws Exception {
        KubeletHarness k = kubelet();
        SimulatedGpuProbe probe = SimulatedGpuProbe.open(ExampleNodes.path(node));
        SharingConfig sharing = SharingConfig.none().withReplicas(replicas);
        List<PluginResource> expected;
        try {
            expected = ResourcePlanner.plan(probe.inventory(), mig, sharing);
        } catch (ResourcePlanner.PlanException e) {
            // single on a node with mixed MIG profiles is refused at startup, with the reason
            assertThat(mig).isEqualTo(MigStrategy.SINGLE);
            assertThat(e.getMessage()).contains("single");
            probe.close();
            return;
        }
        start(config(k).withMigStrategy(mig).withSharing(sharing), probe, Clock.systemUTC());
        assertThat(expected).isNotEmpty();
        for (PluginResource r : expected) {
            await().atMost(Duration.ofSeconds(20)).until(() -> k.devices(r.name()).size() == r.devices().size());
            assertThat(k.preferredAllocationAvailable(r.name())).isTrue();
            List<String> ids = k.devices(r.name()).stream().map(Device::getID).toList();
            assertThat(ids).containsExactlyElementsOf(r.devices().stream().map(d -> d.id()).toList());
            assertThat(k.devices(r.name())).allMatch(d -> d.getHealth().equals("Healthy"));
            if (replicas > 1 && r.name().equals(TangramNames.RESOURCE_GPU_SHARED)) {
                assertThat(ids).allMatch(DeviceIds::isReplica);
            }
            // one device through GetPreferredAllocation and Allocate
            var preferred = k.plugin(r.name()).getPreferredAllocation(PreferredAllocationRequest.newBuilder()
                    .addContainerRequests(ContainerPreferredAllocationRequest.newBuilder().addAllAvailableDeviceIDs(ids).setAllocationSize(1))
                    .build());
            List<String> pick = preferred.getContainerResponses(0).getDeviceIDsList();
            assertThat(pick).hasSize(1).isSubsetOf(ids);
            AllocateResponse allocated = k.plugin(r.name()).allocate(AllocateRequest.newBuilder()
                    .addContainerRequests(ContainerAllocateRequest.newBuilder().addAllDevicesIds(pick)).build());
            var c = allocated.getContainerResponses(0);
            assertThat(c.getEnvsMap()).containsEntry(TangramNames.ENV_RESOURCE, r.name()).containsKey(TangramNames.ENV_GPU_MEMORY_LIMIT_MIB);
            assertThat(c.getDevicesList()).extracting(d -> d.getContainerPath()).contains("/dev/nvidiactl", "/dev/nvidia-uvm");
            assertThat(c.getAnnotationsMap()).containsEntry(TangramNames.ANNOTATION_ALLOCATED, pick.getFirst());
        }
        assertThat(k.registrations().keySet()).containsExactlyInAnyOrderElementsOf(expected.stream().map(PluginResource::name).toList());
    }

    @Test
    void reRegistersEveryResourceWithinTwoSecondsOfAKubeletRestart() throws Exception {
        KubeletHarness k = kubelet();
        SimulatedGpuProbe probe = SimulatedGpuProbe.open(ExampleNodes.path(ExampleNodes.A100_MIG));
        DevicePluginDaemon d = start(config(k).withMigStrategy(MigStrategy.MIXED), probe, Clock.systemUTC());
        await().atMost(Duration.ofSeconds(20)).until(() -> d.supervisor().allRegistered());
        Set<String> resources = d.supervisor().wanted();
        assertThat(resources).contains(TangramNames.RESOURCE_GPU, "nvidia.com/mig-1g.10gb", "nvidia.com/mig-3g.40gb");
        for (String r : resources) {
            await().atMost(Duration.ofSeconds(10)).until(() -> !k.devices(r).isEmpty());
        }

        k.restart();

        await().atMost(Duration.ofSeconds(2)).until(() -> resources.stream().allMatch(r -> k.registrations(r) >= 2 && !k.devices(r).isEmpty()));
        // and the re-registered servers answer (a stream lost in the restart may re-register once more: retry on a replaced channel)
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> {
            String gpu = k.devices(TangramNames.RESOURCE_GPU).getFirst().getID();
            return k.plugin(TangramNames.RESOURCE_GPU).allocate(AllocateRequest.newBuilder()
                    .addContainerRequests(ContainerAllocateRequest.newBuilder().addDevicesIds(gpu)).build()).getContainerResponsesCount() == 1;
        });
    }

    @Test
    void reRegistersAResourceWhoseStreamTheKubeletDroppedAndDoesNotLoop() throws Exception {
        KubeletHarness k = kubelet();
        SimulatedGpuProbe probe = SimulatedGpuProbe.open(ExampleNodes.path(ExampleNodes.L4_2));
        start(config(k), probe, Clock.systemUTC());
        String gpu = TangramNames.RESOURCE_GPU;
        await().atMost(Duration.ofSeconds(20)).until(() -> k.devices(gpu).size() == 2);
        assertThat(k.registrations(gpu)).isEqualTo(1);

        k.dropStream(gpu);

        await().atMost(Duration.ofSeconds(10)).until(() -> k.registrations(gpu) == 2 && k.devices(gpu).size() == 2);
        // the re-registration replaced the old endpoint; its stream is live, so nothing more happens
        Thread.sleep(3000);
        assertThat(k.registrations(gpu)).isEqualTo(2);
    }

    @Test
    void xidMarksTheGpuAndItsMigDevicesUnhealthyAndTheyRecoverAfterTheQuietPeriod() throws Exception {
        KubeletHarness k = kubelet();
        MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
        SimulatedGpuProbe probe = SimulatedGpuProbe.open(ExampleNodes.path(ExampleNodes.A100_MIG));
        Gpu gpu1 = probe.inventory().gpus().get(1);
        start(config(k).withMigStrategy(MigStrategy.MIXED).withHealth(new HealthConfig(HealthConfig.DEFAULT_IGNORED_XIDS, Duration.ofMinutes(5))),
                probe, clock);
        String mig1g = "nvidia.com/mig-1g.10gb";
        await().atMost(Duration.ofSeconds(20)).until(() -> k.devices(mig1g).size() == 8);

        probe.injectXid(gpu1.uuid(), 13); // ignored by default
        probe.injectXid(gpu1.uuid(), 79);
        Set<String> onGpu1 = Set.copyOf(gpu1.migDevices().stream().map(m -> m.uuid()).toList());
        await().atMost(Duration.ofSeconds(5)).until(() -> k.devices(mig1g).stream()
                .filter(d -> onGpu1.contains(d.getID())).allMatch(d -> d.getHealth().equals("Unhealthy")));
        assertThat(k.devices(mig1g).stream().filter(d -> !onGpu1.contains(d.getID()))).allMatch(d -> d.getHealth().equals("Healthy"));

        clock.advance(Duration.ofMinutes(4));
        Thread.sleep(1200); // two health-loop turns: nothing may heal before the quiet period
        assertThat(k.unhealthy(mig1g)).isEqualTo(7);

        clock.advance(Duration.ofMinutes(2));
        await().atMost(Duration.ofSeconds(5)).until(() -> k.unhealthy(mig1g) == 0);
    }

    @Test
    void aNewMigProfileGetsItsOwnRegisteredResourceAndAVanishedOneIsWithdrawn() throws Exception {
        KubeletHarness k = kubelet();
        SimulatedGpuProbe probe = SimulatedGpuProbe.open(ExampleNodes.path(ExampleNodes.A100_MIG));
        DevicePluginDaemon d = start(config(k).withMigStrategy(MigStrategy.MIXED), probe, Clock.systemUTC());
        await().atMost(Duration.ofSeconds(20)).until(() -> d.supervisor().allRegistered());
        assertThat(d.supervisor().registered()).doesNotContain("nvidia.com/mig-7g.80gb");
        Gpu empty = probe.inventory().gpus().stream().filter(g -> g.migEnabled() && g.migDevices().isEmpty()).findFirst().orElseThrow();
        var created = probe.createMigDevice(empty.uuid(), "7g.80gb", 0);

        d.refresh();

        await().atMost(Duration.ofSeconds(10)).until(() -> k.devices("nvidia.com/mig-7g.80gb").size() == 1);
        assertThat(k.devices("nvidia.com/mig-7g.80gb").getFirst().getID()).isEqualTo(created.uuid());
        probe.destroyMigDevice(created.uuid());
        d.refresh();
        await().atMost(Duration.ofSeconds(10)).until(() -> !d.supervisor().registered().contains("nvidia.com/mig-7g.80gb"));
        assertThat(k.dir().resolve("tangram-mig-7g.80gb.sock")).doesNotExist();
    }

    @Test
    void sharedReplicasFollowTheirGpuAndALostGpuStaysUnhealthyUntilItIsBack() throws Exception {
        KubeletHarness k = kubelet();
        MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
        SimulatedGpuProbe probe = SimulatedGpuProbe.open(ExampleNodes.path(ExampleNodes.L4_2));
        String gpu0 = probe.inventory().gpus().get(0).uuid();
        start(config(k).withSharing(SharingConfig.none().withReplicas(4)), probe, clock);
        String shared = TangramNames.RESOURCE_GPU_SHARED;
        await().atMost(Duration.ofSeconds(20)).until(() -> k.devices(shared).size() == 8);

        probe.injectGpuLost(gpu0);
        await().atMost(Duration.ofSeconds(5)).until(() -> k.unhealthy(shared) == 4);
        assertThat(k.devices(shared).stream().filter(d -> d.getHealth().equals("Unhealthy")))
                .allMatch(d -> DeviceIds.physical(d.getID()).equals(gpu0));

        clock.advance(Duration.ofMinutes(10)); // quiet, but still lost
        Thread.sleep(1200);
        assertThat(k.unhealthy(shared)).isEqualTo(4);

        probe.injectRecovery(gpu0);
        clock.advance(Duration.ofMinutes(10));
        await().atMost(Duration.ofSeconds(5)).until(() -> k.unhealthy(shared) == 0);
    }

    @Test
    void refusesUnknownAndDuplicateIdsByNameAndKeepsServing() throws Exception {
        KubeletHarness k = kubelet();
        SimulatedGpuProbe probe = SimulatedGpuProbe.open(ExampleNodes.path(ExampleNodes.DGX_H100));
        start(config(k), probe, Clock.systemUTC());
        String gpu = TangramNames.RESOURCE_GPU;
        await().atMost(Duration.ofSeconds(20)).failFast(() -> !k.streamErrors().isEmpty()).until(() -> k.devices(gpu).size() == 8);
        String first = k.devices(gpu).getFirst().getID();

        assertThatThrownBy(() -> k.plugin(gpu).allocate(AllocateRequest.newBuilder()
                .addContainerRequests(ContainerAllocateRequest.newBuilder().addDevicesIds(first).addDevicesIds("GPU-nope")).build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                    assertThat(e.getStatus().getDescription()).contains("GPU-nope");
                });
        assertThatThrownBy(() -> k.plugin(gpu).allocate(AllocateRequest.newBuilder()
                .addContainerRequests(ContainerAllocateRequest.newBuilder().addDevicesIds(first).addDevicesIds(first)).build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                    assertThat(e.getStatus().getDescription()).contains("duplicate").contains(first);
                });
        // GetPreferredAllocation with garbage still answers a valid pick
        var preferred = k.plugin(gpu).getPreferredAllocation(PreferredAllocationRequest.newBuilder()
                .addContainerRequests(ContainerPreferredAllocationRequest.newBuilder().addAvailableDeviceIDs(first).addAvailableDeviceIDs("GPU-nope")
                        .setAllocationSize(1)).build());
        assertThat(preferred.getContainerResponses(0).getDeviceIDsList()).hasSize(1);
        // and the plugin still serves
        assertThat(k.plugin(gpu).allocate(AllocateRequest.newBuilder()
                .addContainerRequests(ContainerAllocateRequest.newBuilder().addDevicesIds(first)).build()).getContainerResponses(0).getEnvsMap())
                .containsEntry(TangramNames.ENV_NVIDIA_VISIBLE_DEVICES, "/var/run/nvidia-container-devices");
    }

    @Test
    void picksTheNvlinkPairOnAPcieNodeWhenNoDecisionExists() throws Exception {
        KubeletHarness k = kubelet();
        SimulatedGpuProbe probe = SimulatedGpuProbe.open(ExampleNodes.path(ExampleNodes.A100_PCIE_4));
        List<Gpu> gpus = probe.inventory().gpus();
        start(config(k), probe, Clock.systemUTC());
        String gpu = TangramNames.RESOURCE_GPU;
        await().atMost(Duration.ofSeconds(20)).until(() -> k.devices(gpu).size() == 4);
        // find the pair with NVLinks in the example's matrix
        var links = probe.inventory().links();
        int a = -1, b = -1;
        for (int i = 0; i < gpus.size() && a < 0; i++) {
            for (int j = i + 1; j < gpus.size(); j++) {
                if (links.link(i, j).nvlinks() > 0) {
                    a = i;
                    b = j;
                    break;
                }
            }
        }
        assertThat(a).as("the example has an NVLink pair").isGreaterThanOrEqualTo(0);
        List<String> all = gpus.stream().map(Gpu::uuid).toList();
        var preferred = k.plugin(gpu).getPreferredAllocation(PreferredAllocationRequest.newBuilder()
                .addContainerRequests(ContainerPreferredAllocationRequest.newBuilder().addAllAvailableDeviceIDs(all)
                        .addMustIncludeDeviceIDs(all.get(b)).setAllocationSize(2)).build());
        assertThat(preferred.getContainerResponses(0).getDeviceIDsList()).containsExactlyInAnyOrder(all.get(a), all.get(b));
    }

    static Map<String, String> envOf(AllocateResponse r) {
        return r.getContainerResponses(0).getEnvsMap();
    }
}
