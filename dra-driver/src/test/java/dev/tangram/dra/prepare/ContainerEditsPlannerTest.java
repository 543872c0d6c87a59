package dev.tangram.dra.prepare;

import dev.tangram.core.GpuFixtures;
import dev.tangram.dra.claim.ClaimRef;
import dev.tangram.dra.config.SharingConfig;
import dev.tangram.dra.device.DeviceTarget;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class ContainerEditsPlannerTest {
    private static final ClaimRef CLAIM = new ClaimRef("ns", "uid-1", "c");

    private static PlannedDevice whole(int index, Optional<String> shareId, long memory, SharingConfig sharing) {
        return new PlannedDevice("r", "n", "gpu-" + index, new DeviceTarget.WholeGpu(GpuFixtures.h100(index, 0)), shareId, memory, sharing);
    }

    @Test
    void theContainerSeesExactlyTheClaimsGpusAndTheirDeviceNodes() {
        ContainerEdits edits = ContainerEditsPlanner.edits(CLAIM, List.of(whole(2, Optional.empty(), 81559, SharingConfig.NONE),
                whole(5, Optional.empty(), 81559, SharingConfig.NONE)), Map.of(), MigCapabilities.NONE);

        assertThat(edits.env()).contains("NVIDIA_VISIBLE_DEVICES=" + GpuFixtures.gpuUuid(2) + "," + GpuFixtures.gpuUuid(5),
                "TANGRAM_GPU_MEMORY_LIMIT_MIB=81559", "TANGRAM_DRA_CLAIM=ns/c", "TANGRAM_RESOURCE=gpu.tangram.dev");
        assertThat(edits.env()).noneMatch(e -> e.startsWith("TANGRAM_SHARING_STRATEGY"));
        assertThat(edits.devices()).extracting(ContainerEdits.DeviceEdits::deviceNodes)
                .containsExactly(List.of("/dev/nvidia2"), List.of("/dev/nvidia5"));
        assertThat(edits.commonDeviceNodes()).contains("/dev/nvidiactl", "/dev/nvidia-uvm");
    }

    @Test
    void aMigDeviceGetsItsGpuNodeAndTheCapabilityNodesOfItsInstances() {
        var gpu = GpuFixtures.h100(1, 0).withMig(true, List.of());
        var profile = dev.tangram.core.model.MigProfileCatalog.H100_80GB.profile("3g.40gb").orElseThrow();
        var created = new dev.tangram.core.model.MigDevice("MIG-x", gpu.uuid(), 2, 0, "3g.40gb", 4, 4, 40960);
        MigCapabilities caps = MigCapabilities.parse("""
                config 1
                monitor 2
                gpu1/gi2/access 21
                gpu1/gi2/ci0/access 22
                gpu1/gi3/access 30
                """);

        ContainerEdits edits = ContainerEditsPlanner.edits(CLAIM, List.of(new PlannedDevice("r", "n", "gpu-1-mig-3g40gb-4",
                new DeviceTarget.MigPartition(gpu, profile, 4), Optional.empty(), 40960, SharingConfig.NONE)),
                Map.of("gpu-1-mig-3g40gb-4", created), caps);

        assertThat(edits.devices()).singleElement().satisfies(d -> {
            assertThat(d.visibleId()).isEqualTo("MIG-x");
            assertThat(d.deviceNodes()).containsExactly("/dev/nvidia1", "/dev/nvidia-caps/nvidia-cap21", "/dev/nvidia-caps/nvidia-cap22");
        });
        assertThat(edits.env()).contains("NVIDIA_VISIBLE_DEVICES=MIG-x", "TANGRAM_GPU_MEMORY_LIMIT_MIB=40960");
        assertThat(MigCapabilities.NONE.deviceNodes(1, 2, 0)).isEmpty();
    }

    @Test
    void aGpuSharedAcrossClaimsGetsItsMemoryShareAndTimeSlicing() {
        ContainerEdits edits = ContainerEditsPlanner.edits(CLAIM, List.of(whole(0, Optional.of("share-1"), 20480, SharingConfig.NONE)), Map.of(), MigCapabilities.NONE);

        assertThat(edits.env()).contains("TANGRAM_GPU_MEMORY_LIMIT_MIB=20480", "TANGRAM_SHARING_STRATEGY=time-slicing",
                "TANGRAM_TIMESLICE_INTERVAL=Default");
    }

    @Test
    void timeSlicingConfigSetsTheInterval() {
        ContainerEdits edits = ContainerEditsPlanner.edits(CLAIM, List.of(whole(0, Optional.empty(), 81559,
                new SharingConfig.TimeSlicing(SharingConfig.Interval.Long))), Map.of(), MigCapabilities.NONE);
        assertThat(edits.env()).contains("TANGRAM_SHARING_STRATEGY=time-slicing", "TANGRAM_TIMESLICE_INTERVAL=Long");
    }

    @Test
    void mpsConfigSetsThreadPercentageAndAPinnedLimitPerVisibleDevice() {
        var mps = new SharingConfig.Mps(30, 8192);
        ContainerEdits edits = ContainerEditsPlanner.edits(CLAIM, List.of(whole(0, Optional.empty(), 81559, mps),
                whole(1, Optional.empty(), 81559, mps)), Map.of(), MigCapabilities.NONE);
        assertThat(edits.env()).contains("TANGRAM_SHARING_STRATEGY=mps", "CUDA_MPS_ACTIVE_THREAD_PERCENTAGE=30",
                "CUDA_MPS_PINNED_DEVICE_MEM_LIMIT=0=8192M,1=8192M");
    }
}
