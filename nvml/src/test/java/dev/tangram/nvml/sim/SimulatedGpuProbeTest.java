package dev.tangram.nvml.sim;

import dev.tangram.core.model.Gpu;
import dev.tangram.core.model.MigDevice;
import dev.tangram.core.model.NodeInventory;
import dev.tangram.core.probe.GpuEvent;
import dev.tangram.core.probe.GpuMetrics;
import dev.tangram.core.probe.ProbeException;
import dev.tangram.nvml.ExampleNodes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SimulatedGpuProbeTest {
    private final SimulatedGpuProbe mig = SimulatedGpuProbe.open(ExampleNodes.path(ExampleNodes.A100_MIG));

    @AfterEach
    void close() {
        mig.close();
    }

    private String uuid(int index) {
        return mig.inventory().gpus().get(index).uuid();
    }

    @Test
    void deliversAnInjectedXidWithoutChangingHealth() {
        mig.injectXid(uuid(2), 48);
        GpuEvent event = mig.awaitEvent(Duration.ofSeconds(5)).orElseThrow();
        assertThat(event.kind()).isEqualTo(GpuEvent.Kind.XID);
        assertThat(event.xid()).isEqualTo(48);
        assertThat(event.gpuUuid()).isEqualTo(uuid(2));
        assertThat(mig.inventory().gpus().get(2).health().healthy()).isTrue();
        assertThat(mig.awaitEvent(Duration.ZERO)).isEmpty();
    }

    @Test
    void showsALostGpuAsAnUnhealthyRowUntilItRecovers() {
        String lost = uuid(5);
        mig.injectGpuLost(lost);
        assertThat(mig.awaitEvent(Duration.ofSeconds(5))).get().extracting(GpuEvent::kind).isEqualTo(GpuEvent.Kind.GPU_LOST);
        NodeInventory inv = mig.inventory();
        assertThat(inv.gpus()).hasSize(8);
        Gpu row = inv.gpu(lost).orElseThrow();
        assertThat(row.health().healthy()).isFalse();
        assertThat(row.health().reason()).isEqualTo("GPU lost");
        assertThatThrownBy(() -> mig.metrics(lost)).isInstanceOf(ProbeException.class)
                .extracting(e -> ((ProbeException) e).kind()).isEqualTo(ProbeException.Kind.GPU_LOST);

        mig.injectRecovery(lost);
        assertThat(mig.awaitEvent(Duration.ofSeconds(5))).get().extracting(GpuEvent::kind).isEqualTo(GpuEvent.Kind.RECOVERED);
        assertThat(mig.inventory().gpu(lost).orElseThrow().health().healthy()).isTrue();
    }

    @Test
    void refusesEventsForAnUnknownGpu() {
        assertThatThrownBy(() -> mig.injectXid("GPU-nope", 79)).isInstanceOf(ProbeException.class)
                .extracting(e -> ((ProbeException) e).kind()).isEqualTo(ProbeException.Kind.NOT_FOUND);
    }

    @Test
    void carvesAndDestroysMigDevicesAtLegalFreePlacements() {
        String gpu3 = uuid(3);
        MigDevice big = mig.createMigDevice(gpu3, "4g.40gb", 0);
        assertThat(big.gpuInstanceId()).isEqualTo(1);
        assertThat(big.placementSize()).isEqualTo(4);
        assertThat(big.memoryMib()).isEqualTo(40960);
        assertThat(big.uuid()).isEqualTo(SimulatedUuids.createdMig("a100-mig-01", 3, 1, 0, 1));
        MigDevice small = mig.createMigDevice(gpu3, "1g.10gb", 4);
        assertThat(mig.inventory().gpu(gpu3).orElseThrow().migDevices()).containsExactly(big, small);

        assertThatThrownBy(() -> mig.createMigDevice(gpu3, "2g.20gb", 4)).isInstanceOf(ProbeException.class)
                .extracting(e -> ((ProbeException) e).kind()).isEqualTo(ProbeException.Kind.INSUFFICIENT_RESOURCES);
        assertThatThrownBy(() -> mig.createMigDevice(gpu3, "3g.40gb", 2))
                .extracting(e -> ((ProbeException) e).kind()).isEqualTo(ProbeException.Kind.INVALID_ARGUMENT);
        assertThatThrownBy(() -> mig.createMigDevice(gpu3, "5g.50gb", 0))
                .extracting(e -> ((ProbeException) e).kind()).isEqualTo(ProbeException.Kind.INVALID_ARGUMENT);

        mig.destroyMigDevice(big.uuid());
        assertThat(mig.inventory().gpu(gpu3).orElseThrow().migDevices()).containsExactly(small);
        MigDevice again = mig.createMigDevice(gpu3, "2g.20gb", 0);
        assertThat(again.gpuInstanceId()).isEqualTo(1);
        assertThat(again.uuid()).isNotEqualTo(big.uuid());
        assertThatThrownBy(() -> mig.destroyMigDevice(big.uuid()))
                .extracting(e -> ((ProbeException) e).kind()).isEqualTo(ProbeException.Kind.NOT_FOUND);
    }

    @Test
    void refusesMigOnAWholeGpuAndOnAGpuWithoutMig() {
        assertThatThrownBy(() -> mig.createMigDevice(uuid(4), "1g.10gb", 0))
                .extracting(e -> ((ProbeException) e).kind()).isEqualTo(ProbeException.Kind.NOT_SUPPORTED);
        try (SimulatedGpuProbe l4 = SimulatedGpuProbe.open(ExampleNodes.path(ExampleNodes.L4_2))) {
            String gpu = l4.inventory().gpus().getFirst().uuid();
            assertThatThrownBy(() -> l4.createMigDevice(gpu, "1g.10gb", 0)).hasMessageContaining("cannot do MIG")
                    .extracting(e -> ((ProbeException) e).kind()).isEqualTo(ProbeException.Kind.NOT_SUPPORTED);
        }
    }

    @Test
    void answersMetricsFromTheDescriptionWithDefaults() {
        try (SimulatedGpuProbe dgx = SimulatedGpuProbe.open(ExampleNodes.path(ExampleNodes.DGX_H100))) {
            NodeInventory inv = dgx.inventory();
            assertThat(dgx.metrics(inv.gpus().get(0).uuid())).isEqualTo(new GpuMetrics(0, 0, 0, 81559, 33, 72.5, 0, 0));
            assertThat(dgx.metrics(inv.gpus().get(7).uuid())).isEqualTo(new GpuMetrics(87, 41, 61440, 81559, 58, 512.25, 0, 0));
        }
    }

    @Test
    void startsWithTheGpusADescriptionMarksLost() {
        String text = "node: n\ndriver: '1'\ncuda: '12.4'\ndefaults: {product: NVIDIA L4, architecture: ada-lovelace, computeCapability: '8.9', memoryMib: 23034}\n"
                + "gpus:\n  - {index: 0, lost: true}\n  - {index: 1}\n";
        try (SimulatedGpuProbe p = SimulatedGpuProbe.of(NodeSpecReader.parse(text, "t"))) {
            assertThat(p.inventory().gpus()).extracting(g -> g.health().healthy()).containsExactly(false, true);
        }
    }

    @Test
    void answersNothingWhenNoEventCameInTime() {
        assertThat(mig.awaitEvent(Duration.ofMillis(10))).isEmpty();
        assertThat(mig.name()).endsWith("a100-mig.yaml").startsWith("simulated:");
    }
}
