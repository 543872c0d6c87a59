package dev.tangram.nvml.jna;

import dev.tangram.core.model.Gpu;
import dev.tangram.core.model.NodeInventory;
import dev.tangram.core.probe.GpuMetrics;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Against the real driver; run with {@code -Dgroups=gpu} on a GPU node (see docs/hardware.md). The library is found the
 * way the device plugin finds it (the loader's path: {@code /usr/local/nvidia/lib64} on container-toolkit nodes, the
 * distribution's lib folder elsewhere, or {@code TANGRAM_NVML_LIBRARY}); the test skips only where none loads.
 */
@Tag("gpu")
class NvmlGpuProbeOnRealGpuTest {
    @Test
    void readsTheRealNodeConsistently() {
        try (NvmlGpuProbe probe = RealNvml.openOrSkip()) {
            NodeInventory inv = probe.inventory();
            assertThat(inv.gpus()).isNotEmpty();
            assertThat(inv.driverVersion()).matches("\\d+\\.\\d+(\\.\\d+)?");
            assertThat(inv.cudaDriverVersion()).matches("\\d+\\.\\d+");
            for (Gpu g : inv.gpus()) {
                assertThat(g.uuid()).startsWith("GPU-");
                assertThat(g.pciBusId()).matches("[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\\.[0-7]");
                assertThat(g.architecture()).isNotEqualTo(NvmlArchitecture.UNKNOWN);
                assertThat(g.computeCapability().major()).isGreaterThanOrEqualTo(3);
                assertThat(g.numaNode()).as("NUMA node of " + g.uuid()).isGreaterThanOrEqualTo(0);
                GpuMetrics m = probe.metrics(g.uuid());
                assertThat(m.memoryTotalMib()).isEqualTo(g.memoryMib());
                assertThat(m.temperatureCelsius()).isBetween(1, 120);
                assertThat(m.powerWatts()).isPositive();
                g.migDevices().forEach(d -> assertThat(d.uuid()).startsWith("MIG-"));
            }
            for (int i = 0; i < inv.gpus().size(); i++) {
                for (int j = 0; j < inv.gpus().size(); j++) {
                    if (i != j) {
                        assertThat(inv.links().link(i, j)).isEqualTo(inv.links().link(j, i));
                    }
                }
            }
            assertThat(probe.inventory()).isEqualTo(inv);
            assertThat(probe.awaitEvent(Duration.ofMillis(100))).isEmpty();
        }
    }
}
