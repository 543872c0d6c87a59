package dev.tangram.inference.allocation;

import dev.tangram.core.GpuFixtures;
import dev.tangram.core.model.Gpu;
import dev.tangram.core.model.LinkMatrix;
import dev.tangram.core.model.NodeInventory;
import dev.tangram.core.probe.GpuMetrics;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PodAllocationReaderTest {
    private static final Optional<NodeInventory> DGX = Optional.of(GpuFixtures.dgxH100("node-a"));

    private static NodeInventory migNode() {
        Gpu g = GpuFixtures.h100(0, 0).withMig(true, List.of(GpuFixtures.migDevice(0, 7, "1g.10gb", 0, 1, 9984),
                GpuFixtures.migDevice(0, 3, "3g.40gb", 4, 4, 40192)));
        return new NodeInventory("node-m", "550.54.15", "12.4", List.of(g), LinkMatrix.of(1, (i, j) -> null));
    }

    @Test
    void resolvesAGpuUuidFromNvidiaVisibleDevices() {
        PodAllocation a = PodAllocationReader.read(Map.of("NVIDIA_VISIBLE_DEVICES", GpuFixtures.gpuUuid(3)), DGX, Map.of(), "nvml");
        assertThat(a.visibleVariable()).isEqualTo("NVIDIA_VISIBLE_DEVICES");
        assertThat(a.devices()).singleElement().satisfies(d -> {
            assertThat(d.uuid()).isEqualTo(GpuFixtures.gpuUuid(3));
            assertThat(d.kind()).isEqualTo("gpu");
            assertThat(d.memoryMib()).isEqualTo(81559);
        });
        assertThat(a.unresolved()).isEmpty();
    }

    @Test
    void fallsBackToCudaVisibleDevicesIndices() {
        PodAllocation a = PodAllocationReader.read(Map.of("CUDA_VISIBLE_DEVICES", "1,2"), DGX, Map.of(), "nvml");
        assertThat(a.visibleVariable()).isEqualTo("CUDA_VISIBLE_DEVICES");
        assertThat(a.devices()).extracting(AllocatedDevice::uuid).containsExactly(GpuFixtures.gpuUuid(1), GpuFixtures.gpuUuid(2));
    }

    @Test
    void nvidiaVisibleDevicesWinsOverCudaVisibleDevices() {
        PodAllocation a = PodAllocationReader.read(Map.of("CUDA_VISIBLE_DEVICES", "1", "NVIDIA_VISIBLE_DEVICES", "5"), DGX, Map.of(), "nvml");
        assertThat(a.devices()).extracting(AllocatedDevice::uuid).containsExactly(GpuFixtures.gpuUuid(5));
    }

    @Test
    void resolvesAMigDeviceByUuidAndByItsOlderName() {
        NodeInventory node = migNode();
        PodAllocation byUuid = PodAllocationReader.read(Map.of("NVIDIA_VISIBLE_DEVICES", GpuFixtures.migUuid(0, 7)),
                Optional.of(node), Map.of(), "nvml");
        assertThat(byUuid.devices()).singleElement().satisfies(d -> {
            assertThat(d.kind()).isEqualTo("mig");
            assertThat(d.memoryMib()).isEqualTo(9984);
            assertThat(d.product()).endsWith("MIG 1g.10gb");
        });
        PodAllocation legacy = PodAllocationReader.read(Map.of("NVIDIA_VISIBLE_DEVICES", "MIG-" + GpuFixtures.gpuUuid(0) + "/3/0"),
                Optional.of(node), Map.of(), "nvml");
        assertThat(legacy.devices()).singleElement().satisfies(d -> assertThat(d.memoryMib()).isEqualTo(40192));
    }

    @Test
    void allMeansEveryGpuOrEveryMigDevice() {
        assertThat(PodAllocationReader.read(Map.of("NVIDIA_VISIBLE_DEVICES", "all"), DGX, Map.of(), "nvml").devices()).hasSize(8);
        assertThat(PodAllocationReader.read(Map.of("NVIDIA_VISIBLE_DEVICES", "all"), Optional.of(migNode()), Map.of(), "nvml").devices())
                .extracting(AllocatedDevice::kind).containsExactly("mig", "mig");
    }

    @Test
    void withoutAnInventoryTheListedDevicesStayUnresolved() {
        PodAllocation a = PodAllocationReader.read(Map.of("NVIDIA_VISIBLE_DEVICES", "GPU-abc"), Optional.empty(), Map.of(), "none");
        assertThat(a.devices()).isEmpty();
        assertThat(a.unresolved()).containsExactly("GPU-abc");
        assertThat(a.hasGpu()).isTrue();
    }

    @Test
    void noneAndVoidMeanNoGpu() {
        assertThat(PodAllocationReader.read(Map.of("NVIDIA_VISIBLE_DEVICES", "void"), DGX, Map.of(), "nvml").hasGpu()).isFalse();
        assertThat(PodAllocationReader.read(Map.of("NVIDIA_VISIBLE_DEVICES", "none"), DGX, Map.of(), "nvml").hasGpu()).isFalse();
        assertThat(PodAllocationReader.read(Map.of(), DGX, Map.of(), "nvml").hasGpu()).isFalse();
    }

    @Test
    void readsTheSharedReplicaMemoryLimit() {
        PodAllocation a = PodAllocationReader.read(Map.of("TANGRAM_GPU_MEMORY_LIMIT_MIB", "20480"), Optional.empty(), Map.of(), "none");
        assertThat(a.memoryLimitMib()).hasValue(20480);
    }

    @Test
    void aMalformedMemoryLimitIsRefusedNamingTheVariable() {
        assertThatThrownBy(() -> PodAllocationReader.read(Map.of("TANGRAM_GPU_MEMORY_LIMIT_MIB", "20GiB"), Optional.empty(), Map.of(), "none"))
                .hasMessageContaining("TANGRAM_GPU_MEMORY_LIMIT_MIB").hasMessageContaining("20GiB");
    }

    @Test
    void takesFreeMemoryFromNvmlMetrics() {
        GpuMetrics m = new GpuMetrics(0, 0, 1559, 81559, 30, 70.0, -1, -1);
        PodAllocation a = PodAllocationReader.read(Map.of("NVIDIA_VISIBLE_DEVICES", "0"), DGX, Map.of(GpuFixtures.gpuUuid(0), m), "nvml");
        assertThat(a.devices().getFirst().freeMib()).hasValue(80000);
    }

    @Test
    void parsesTheDeviceListForms() {
        assertThat(VisibleDevices.parse("all").all()).isTrue();
        assertThat(VisibleDevices.parse(" a , b ").ids()).containsExactly("a", "b");
        assertThat(VisibleDevices.parse("").any()).isFalse();
        assertThat(VisibleDevices.parse(null).any()).isFalse();
    }
}
