package dev.tangram.core.placement.policy;

import dev.tangram.core.placement.NodeView;
import dev.tangram.core.placement.PlacementPolicy;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static dev.tangram.core.placement.policy.PolicyFixtures.fraction;
import static dev.tangram.core.placement.policy.PolicyFixtures.node;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class FragmentationMeasureTest {
    /** Half the tasks want half a GPU, a quarter one whole GPU, a quarter no GPU at all. */
    private static final WorkloadMix MIX = new WorkloadMix(List.of(
            new WorkloadMix.Entry(TaskShape.of(1000, 0, 500, 1), 0.5),
            new WorkloadMix.Entry(TaskShape.of(1000, 0, 1000, 1), 0.25),
            new WorkloadMix.Entry(TaskShape.of(1000, 0, 0, 0), 0.25)));

    @Test
    void countsTheFreeCapacityEachTaskShapeCannotUseWeightedByPopularity() {
        // GPUs free 1000 and 300 (1300 in all). Half-GPU task: fits on GPU 0, GPU 1's 300 stranded -> 0.5 * 300.
        // Whole-GPU task: fits on GPU 0, 300 stranded -> 0.25 * 300. CPU-only task: can use no GPU -> 0.25 * 1300.
        NodeView n = node("n", 8000, 1000, 300);
        assertThat(new FragmentationMeasure(MIX, false).of(n)).isCloseTo(150 + 75 + 325, within(1e-9));
    }

    @Test
    void aTaskTheNodeCannotRunAtAllStrandsAllFreeCapacity() {
        // Only 500 millicores free: no task fits, so every shape counts all 1300 free thousandths.
        NodeView n = node("n", 500, 1000, 300);
        assertThat(new FragmentationMeasure(MIX, false).of(n)).isCloseTo(1300, within(1e-9));
        // A full node has nothing to strand.
        assertThat(new FragmentationMeasure(MIX, false).of(node("n", 8000, 0, 0))).isZero();
    }

    @Test
    void fgdPutsAHalfGpuTaskWhereItIncreasesFragmentationLeast() {
        // Free [1000, 600]: before = 0.5*0 + 0.25*600 + 0.25*1600 = 550.
        // On GPU 1 -> [1000, 100]: 0.5*100 + 0.25*100 + 0.25*1100 = 350 (delta -200).
        // On GPU 0 -> [500, 600]:  0.5*0 + 0.25*1100 + 0.25*1100 = 550 (delta 0).
        NodeView n = node("n", 8000, 1000, 600);
        FragmentationGradient gradient = new FragmentationGradient(TargetWorkload.fixed(weights(), 1.0), false, 1);
        assertThat(gradient.of(n)).isCloseTo(550, within(1e-9));
        assertThat(gradient.afterFraction(n, 1, 500, 1000, 0)).isCloseTo(350, within(1e-9));
        assertThat(gradient.afterFraction(n, 0, 500, 1000, 0)).isCloseTo(550, within(1e-9));

        PlacementPolicy.ScoredAssignment s = new FgdPolicy(gradient).place(n, fraction(1000, 500)).orElseThrow();
        assertThat(s.assignment().containers().getFirst().gpuPositions()).containsExactly(1);
        assertThat(s.score()).isEqualTo((double) (long) (100 / (1 + Math.exp(-200 / 1000.0))));
        PlacementPolicy.ScoredAssignment t = new TangramPolicy(gradient).place(n, fraction(1000, 500)).orElseThrow();
        assertThat(t.assignment().containers().getFirst().gpuPositions()).containsExactly(1);
    }

    @Test
    void memoryCountsOnlyWhenAsked() {
        WorkloadMix bigMemory = new WorkloadMix(List.of(new WorkloadMix.Entry(TaskShape.of(0, 1_000_000, 500, 1), 1.0)));
        NodeView n = node("n", 8000, 1000, 300); // 262,144 MiB free: too little for the task
        assertThat(new FragmentationMeasure(bigMemory, false).of(n)).isCloseTo(300, within(1e-9));
        assertThat(new FragmentationMeasure(bigMemory, true).of(n)).isCloseTo(1300, within(1e-9));
    }

    @Test
    void modelsATaskDoesNotAcceptAreStranded() {
        TaskShape v100Only = new TaskShape(0, 0, 500, 1, java.util.Set.of("V100M32"));
        WorkloadMix mix = new WorkloadMix(List.of(new WorkloadMix.Entry(v100Only, 1.0)));
        assertThat(new FragmentationMeasure(mix, false).of(node("n", "T4", 8000, 1000, 300))).isCloseTo(1300, within(1e-9));
        assertThat(new FragmentationMeasure(mix, false).of(node("n", "V100M32", 8000, 1000, 300))).isCloseTo(300, within(1e-9));
    }

    private static Map<TaskShape, Double> weights() {
        return Map.of(TaskShape.of(1000, 0, 500, 1), 2.0, TaskShape.of(1000, 0, 1000, 1), 1.0, TaskShape.of(1000, 0, 0, 0), 1.0);
    }
}
