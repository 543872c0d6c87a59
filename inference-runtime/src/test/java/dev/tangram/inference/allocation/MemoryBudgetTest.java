package dev.tangram.inference.allocation;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.OptionalLong;

import static org.assertj.core.api.Assertions.assertThat;

class MemoryBudgetTest {
    private static final long MIB = 1024L * 1024;
    private static final AllocatedDevice H100 = new AllocatedDevice("0", "GPU-0", "gpu", "H100", 81559, OptionalLong.empty());
    private static final AllocatedDevice MIG = new AllocatedDevice("MIG-1", "MIG-1", "mig", "H100 MIG 1g.10gb", 9984, OptionalLong.empty());

    private static PodAllocation allocation(List<AllocatedDevice> devices, List<String> unresolved, OptionalLong limit) {
        return new PodAllocation("NVIDIA_VISIBLE_DEVICES", VisibleDevices.NONE, devices, unresolved, limit, "nvml");
    }

    @Test
    void aSharedReplicaGetsItsMemoryLimit() {
        MemoryBudget b = MemoryBudget.of(allocation(List.of(H100), List.of(), OptionalLong.of(20480)), 4096);
        assertThat(b.bytes()).isEqualTo(20480 * MIB);
        assertThat(b.source()).contains("TANGRAM_GPU_MEMORY_LIMIT_MIB=20480");
        assertThat(b.gpu()).isTrue();
    }

    @Test
    void theLimitCannotExceedTheDevice() {
        MemoryBudget b = MemoryBudget.of(allocation(List.of(MIG), List.of(), OptionalLong.of(20480)), 4096);
        assertThat(b.bytes()).isEqualTo(9984 * MIB);
    }

    @Test
    void aMigDeviceGetsItsSliceMemory() {
        MemoryBudget b = MemoryBudget.of(allocation(List.of(MIG), List.of(), OptionalLong.empty()), 4096);
        assertThat(b.bytes()).isEqualTo(9984 * MIB);
        assertThat(b.source()).contains("MIG 1g.10gb");
    }

    @Test
    void wholeGpusAddUpButNotBeyondWhatNvmlSaysIsFree() {
        assertThat(MemoryBudget.of(allocation(List.of(H100, H100), List.of(), OptionalLong.empty()), 4096).bytes())
                .isEqualTo(2 * 81559 * MIB);
        AllocatedDevice busy = new AllocatedDevice("0", "GPU-0", "gpu", "H100", 81559, OptionalLong.of(40000));
        MemoryBudget b = MemoryBudget.of(allocation(List.of(busy), List.of(), OptionalLong.empty()), 4096);
        assertThat(b.bytes()).isEqualTo(40000 * MIB);
        assertThat(b.source()).contains("40000 MiB free");
    }

    @Test
    void withoutAGpuTheCpuBudgetFromConfigApplies() {
        MemoryBudget b = MemoryBudget.of(allocation(List.of(), List.of(), OptionalLong.empty()), 4096);
        assertThat(b.bytes()).isEqualTo(4096 * MIB);
        assertThat(b.gpu()).isFalse();
        assertThat(b.source()).contains("cpuBudgetMib=4096");
    }

    @Test
    void unknownDevicesWithoutALimitFallBackToTheCpuBudgetSayingSo() {
        MemoryBudget b = MemoryBudget.of(allocation(List.of(), List.of("GPU-x"), OptionalLong.empty()), 2048);
        assertThat(b.bytes()).isEqualTo(2048 * MIB);
        assertThat(b.source()).contains("GPU-x unknown");
    }
}
