package dev.tangram.dra.slice;

import dev.tangram.core.GpuFixtures;
import dev.tangram.core.model.NodeInventory;
import dev.tangram.dra.device.DevicePlan;
import dev.tangram.dra.device.DevicePlanner;
import dev.tangram.dra.device.DraDevice;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class SliceSplitterTest {
    private final DevicePlanner planner = new DevicePlanner(DevicePlanner::busRoot, true);

    private DevicePlan migPlan() {
        NodeInventory inv = GpuFixtures.dgxH100("n");
        inv = inv.withGpus(inv.gpus().stream().map(g -> g.withMig(true, List.of())).toList());
        return planner.plan("n", inv, Set.of());
    }

    @Test
    void onKubernetes134CountersSitBesideTheirDevicesAndAGpuNeverStraddlesTwoSlices() {
        List<PoolSlice> slices = SliceSplitter.split(migPlan(), SliceShape.COUNTERS_BESIDE_DEVICES);

        assertThat(slices).hasSize(4);
        for (PoolSlice s : slices) {
            assertThat(s.devices()).hasSize(50);
            assertThat(s.counterSets()).hasSize(2);
            assertThat(s.counterCount()).isLessThanOrEqualTo(SliceSplitter.MAX_COUNTERS);
            for (DraDevice d : s.devices()) {
                String set = d.consumes().getFirst().counterSet();
                assertThat(s.counterSets()).anyMatch(c -> c.name().equals(set));
            }
        }
    }

    @Test
    void fromKubernetes135CountersGoInSlicesOfTheirOwnAndDeviceSlicesHoldAtMost64() {
        List<PoolSlice> slices = SliceSplitter.split(migPlan(), SliceShape.COUNTERS_IN_OWN_SLICES);

        List<PoolSlice> counterSlices = slices.stream().filter(s -> s.devices().isEmpty()).toList();
        List<PoolSlice> deviceSlices = slices.stream().filter(s -> !s.devices().isEmpty()).toList();
        assertThat(counterSlices).allSatisfy(s -> assertThat(s.counterCount()).isLessThanOrEqualTo(32));
        assertThat(counterSlices.stream().mapToInt(s -> s.counterSets().size()).sum()).isEqualTo(8);
        assertThat(deviceSlices).allSatisfy(s -> {
            assertThat(s.counterSets()).isEmpty();
            assertThat(s.devices()).hasSizeLessThanOrEqualTo(64);
        });
        assertThat(deviceSlices.stream().mapToInt(s -> s.devices().size()).sum()).isEqualTo(200);
        assertThat(deviceSlices).hasSize(4);
    }

    @Test
    void plainDevicesFill128PerSlice() {
        NodeInventory big = GpuFixtures.dgxH100("n");
        DevicePlan plan = planner.plan("n", big, Set.of());
        List<PoolSlice> slices = SliceSplitter.split(plan, SliceShape.COUNTERS_IN_OWN_SLICES);
        assertThat(slices).singleElement().satisfies(s -> assertThat(s.devices()).hasSize(8));
        assertThat(SliceSplitter.fits(List.of(), java.util.Collections.nCopies(128, plan.devices().getFirst()))).isTrue();
        assertThat(SliceSplitter.fits(List.of(), java.util.Collections.nCopies(129, plan.devices().getFirst()))).isFalse();
    }

    @Test
    void aNodeWithoutGpusStillPublishesOneEmptySliceSoThePoolIsComplete() {
        NodeInventory none = new NodeInventory("n", "550.54.15", "12.4", List.of(), dev.tangram.core.model.LinkMatrix.empty());
        assertThat(SliceSplitter.split(planner.plan("n", none, Set.of()), SliceShape.COUNTERS_BESIDE_DEVICES))
                .singleElement().satisfies(s -> assertThat(s.devices()).isEmpty());
    }

    @Test
    void theServerVersionPicksTheShape() {
        assertThat(SliceShape.forServer(1, 34)).isEqualTo(SliceShape.COUNTERS_BESIDE_DEVICES);
        assertThat(SliceShape.forServer(1, 35)).isEqualTo(SliceShape.COUNTERS_IN_OWN_SLICES);
        assertThat(SliceShape.parse("1.36")).isEqualTo(SliceShape.COUNTERS_IN_OWN_SLICES);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> SliceShape.parse("latest"))
                .hasMessageContaining("'latest'");
    }
}
