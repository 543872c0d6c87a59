package dev.tangram.deviceplugin.allocation;

import dev.tangram.core.GpuFixtures;
import dev.tangram.core.model.DeviceIds;
import dev.tangram.core.model.Gpu;
import dev.tangram.core.model.GpuSharing;
import dev.tangram.core.model.NodeInventory;
import dev.tangram.core.names.TangramNames;
import dev.tangram.deviceplugin.config.DeviceIdStrategy;
import dev.tangram.deviceplugin.config.DeviceListStrategy;
import dev.tangram.deviceplugin.config.MigStrategy;
import dev.tangram.deviceplugin.config.SharedPolicy;
import dev.tangram.deviceplugin.config.SharingConfig;
import dev.tangram.deviceplugin.resources.PluginResource;
import dev.tangram.deviceplugin.resources.ResourcePlanner;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AllocationResponderTest {
    private final NodeInventory dgx = GpuFixtures.dgxH100("n");
    private final PluginResource gpus = ResourcePlanner.plan(dgx, MigStrategy.NONE, SharingConfig.none()).getFirst();

    private static AllocationResponder responder(DeviceListStrategy list, DeviceIdStrategy ids, SharingConfig sharing) {
        return new AllocationResponder(list, ids, sharing, Path.of("/dev"), MigCapabilities.formula());
    }

    @Test
    void envvarStrategyNamesTheGpusByUuidOrIndex() {
        var byUuid = responder(DeviceListStrategy.ENVVAR, DeviceIdStrategy.UUID, SharingConfig.none())
                .respond(gpus, List.of(GpuFixtures.gpuUuid(1), GpuFixtures.gpuUuid(3)));
        assertThat(byUuid.envs()).containsEntry(TangramNames.ENV_NVIDIA_VISIBLE_DEVICES, GpuFixtures.gpuUuid(1) + "," + GpuFixtures.gpuUuid(3))
                .containsEntry(TangramNames.ENV_GPU_MEMORY_LIMIT_MIB, "81559")
                .containsEntry(TangramNames.ENV_RESOURCE, TangramNames.RESOURCE_GPU);
        assertThat(byUuid.devices()).extracting(ContainerAllocation.DeviceNode::containerPath)
                .containsExactly("/dev/nvidiactl", "/dev/nvidia-uvm", "/dev/nvidia-uvm-tools", "/dev/nvidia1", "/dev/nvidia3");
        assertThat(byUuid.devices()).allMatch(d -> d.permissions().equals("rw"));
        var byIndex = responder(DeviceListStrategy.ENVVAR, DeviceIdStrategy.INDEX, SharingConfig.none()).respond(gpus, List.of(GpuFixtures.gpuUuid(5)));
        assertThat(byIndex.envs()).containsEntry(TangramNames.ENV_NVIDIA_VISIBLE_DEVICES, "5");
        assertThat(byIndex.annotations()).containsEntry(TangramNames.ANNOTATION_ALLOCATED, GpuFixtures.gpuUuid(5));
    }

    @Test
    void volumeMountsAndCdiNeverPutDeviceIdsInTheEnvironment() {
        var mounts = responder(DeviceListStrategy.VOLUME_MOUNTS, DeviceIdStrategy.UUID, SharingConfig.none()).respond(gpus, List.of(GpuFixtures.gpuUuid(0)));
        assertThat(mounts.envs()).containsEntry(TangramNames.ENV_NVIDIA_VISIBLE_DEVICES, AllocationResponder.VOLUME_MOUNT_DIR);
        assertThat(mounts.mounts()).containsExactly(new ContainerAllocation.Mount(AllocationResponder.VOLUME_MOUNT_DIR + "/" + GpuFixtures.gpuUuid(0),
                "/dev/null", true));
        var cdi = responder(DeviceListStrategy.CDI, DeviceIdStrategy.UUID, SharingConfig.none()).respond(gpus, List.of(GpuFixtures.gpuUuid(0)));
        assertThat(cdi.envs()).containsEntry(TangramNames.ENV_NVIDIA_VISIBLE_DEVICES, "void");
        assertThat(cdi.cdiDevices()).containsExactly("tangram.dev/gpu=" + GpuFixtures.gpuUuid(0));
        assertThat(cdi.annotations()).containsValue("tangram.dev/gpu=" + GpuFixtures.gpuUuid(0));
    }

    @Test
    void migDevicesGetTheirCapabilityNodes() {
        Gpu g = GpuFixtures.h100(0, 0).withMig(true, List.of(GpuFixtures.migDevice(0, 1, "3g.40gb", 0, 4, 40192),
                GpuFixtures.migDevice(0, 2, "3g.40gb", 4, 4, 40192)));
        NodeInventory inv = new NodeInventory("n", "550.54.15", "12.4", List.of(g), dev.tangram.core.model.LinkMatrix.of(1, (i, j) -> null));
        PluginResource mig = ResourcePlanner.plan(inv, MigStrategy.MIXED, SharingConfig.none()).getFirst();
        assertThat(mig.name()).isEqualTo("nvidia.com/mig-3g.40gb");
        var a = responder(DeviceListStrategy.ENVVAR, DeviceIdStrategy.INDEX, SharingConfig.none()).respond(mig, List.of(GpuFixtures.migUuid(0, 2)));
        assertThat(a.envs()).containsEntry(TangramNames.ENV_NVIDIA_VISIBLE_DEVICES, "0:1").containsEntry(TangramNames.ENV_GPU_MEMORY_LIMIT_MIB, "40192");
        // gpu0/gi2/access = 3 + 2*9 = 21, gpu0/gi2/ci0/access = 22
        assertThat(a.devices()).extracting(ContainerAllocation.DeviceNode::containerPath)
                .contains("/dev/nvidia0", "/dev/nvidia-caps/nvidia-cap21", "/dev/nvidia-caps/nvidia-cap22");
        MigCapabilities table = MigCapabilities.parse("config 1\nmonitor 2\ngpu0/gi2/access 30\ngpu0/gi2/ci0/access 31\n");
        assertThat(table.gpuInstanceAccess(0, 2)).isEqualTo(30);
        assertThat(table.computeInstanceAccess(0, 2, 0)).isEqualTo(31);
        assertThat(table.gpuInstanceAccess(1, 1)).isEqualTo(3 + 135 + 9);
    }

    @Test
    void aSharedReplicaCarriesItsMemoryShareAndMpsSettings() {
        SharingConfig mps = new SharingConfig(GpuSharing.MPS, 4, Map.of(), Map.of(), TangramNames.RESOURCE_GPU_SHARED, true, SharedPolicy.SPREAD, false,
                Path.of("/run/tangram/mps"));
        PluginResource shared = ResourcePlanner.plan(dgx, MigStrategy.NONE, mps).getFirst();
        assertThat(shared.name()).isEqualTo(TangramNames.RESOURCE_GPU_SHARED);
        String uuid = GpuFixtures.gpuUuid(2);
        var a = responder(DeviceListStrategy.ENVVAR, DeviceIdStrategy.UUID, mps).respond(shared, List.of(DeviceIds.replica(uuid, 0), DeviceIds.replica(uuid, 3)));
        assertThat(a.envs()).containsEntry(TangramNames.ENV_NVIDIA_VISIBLE_DEVICES, uuid)
                .containsEntry(TangramNames.ENV_GPU_MEMORY_LIMIT_MIB, Long.toString(2 * (81559 / 4)))
                .containsEntry(TangramNames.ENV_GPU_REPLICAS, "2")
                .containsEntry(TangramNames.ENV_CUDA_MPS_ACTIVE_THREAD_PERCENTAGE, "50")
                .containsEntry(TangramNames.ENV_CUDA_MPS_PINNED_DEVICE_MEM_LIMIT, "0=" + 2 * (81559 / 4) + "M")
                .containsEntry(TangramNames.ENV_CUDA_MPS_PIPE_DIRECTORY, AllocationResponder.MPS_PIPE_IN_CONTAINER);
        assertThat(a.mounts()).contains(new ContainerAllocation.Mount(AllocationResponder.MPS_PIPE_IN_CONTAINER, "/run/tangram/mps/" + uuid + "/pipe", false));
        assertThatThrownBy(() -> responder(DeviceListStrategy.ENVVAR, DeviceIdStrategy.UUID, mps)
                .respond(shared, List.of(DeviceIds.replica(uuid, 0), DeviceIds.replica(GpuFixtures.gpuUuid(3), 0))))
                .isInstanceOf(AllocationException.class).hasMessageContaining("one GPU");
    }

    @Test
    void unknownDuplicateOrMissingIdsAreRefusedByName() {
        AllocationResponder r = responder(DeviceListStrategy.ENVVAR, DeviceIdStrategy.UUID, SharingConfig.none());
        assertThatThrownBy(() -> r.respond(gpus, List.of(GpuFixtures.gpuUuid(0), "GPU-bogus", "GPU-other")))
                .isInstanceOf(AllocationException.class).hasMessageContaining("unknown").hasMessageContaining("GPU-bogus, GPU-other");
        assertThatThrownBy(() -> r.respond(gpus, List.of(GpuFixtures.gpuUuid(0), GpuFixtures.gpuUuid(0))))
                .isInstanceOf(AllocationException.class).hasMessageContaining("duplicate").hasMessageContaining(GpuFixtures.gpuUuid(0));
        assertThatThrownBy(() -> r.respond(gpus, List.of())).isInstanceOf(AllocationException.class).hasMessageContaining("no device IDs");
        SharingConfig strict = new SharingConfig(GpuSharing.TIME_SLICING, 2, Map.of(), Map.of(), TangramNames.RESOURCE_GPU_SHARED, true,
                SharedPolicy.SPREAD, true, Path.of("/mps"));
        PluginResource shared = ResourcePlanner.plan(dgx, MigStrategy.NONE, strict).getFirst();
        assertThatThrownBy(() -> responder(DeviceListStrategy.ENVVAR, DeviceIdStrategy.UUID, strict)
                .respond(shared, List.of(DeviceIds.replica(GpuFixtures.gpuUuid(0), 0), DeviceIds.replica(GpuFixtures.gpuUuid(0), 1))))
                .isInstanceOf(AllocationException.class).hasMessageContaining("failRequestsGreaterThanOne");
    }
}
