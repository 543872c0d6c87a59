package dev.tangram.core.placement.policy;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class TargetWorkloadTest {
    private static final TaskShape A = TaskShape.of(1000, 0, 500, 1);
    private static final TaskShape B = TaskShape.of(2000, 0, 1000, 1);
    private static final TaskShape C = TaskShape.of(0, 0, 0, 0);

    @Test
    void keepsTheMostPopularShapesUntilTheyCoverTheThresholdAndRenormalises() {
        Map<TaskShape, Double> counts = new LinkedHashMap<>();
        counts.put(A, 60.0);
        counts.put(B, 36.0);
        counts.put(C, 4.0);
        WorkloadMix mix = WorkloadMix.fromWeights(counts, 0.95);
        // A (60 %) then B (96 %) reach 95 %: C is dropped, A and B renormalised to 60/96 and 36/96.
        assertThat(mix.entries()).extracting(WorkloadMix.Entry::shape).containsExactly(A, B);
        assertThat(mix.entries().get(0).probability()).isCloseTo(0.625, within(1e-12));
        assertThat(mix.entries().get(1).probability()).isCloseTo(0.375, within(1e-12));
    }

    @Test
    void olderArrivalsFadeWithTheHalfLife() {
        TargetWorkload w = TargetWorkload.learning(10, 1.0);
        for (int i = 0; i < 10; i++) {
            w.observe(A);
        }
        for (int i = 0; i < 10; i++) {
            w.observe(B);
        }
        // Each A counts half as much as the B ten arrivals later: A's share is 1/3.
        WorkloadMix mix = w.mix();
        double a = mix.entries().stream().filter(e -> e.shape().equals(A)).findFirst().orElseThrow().probability();
        assertThat(a).isCloseTo(1.0 / 3, within(1e-9));
    }

    @Test
    void aFixedWorkloadIgnoresArrivalsAndASeededOneStartsFromItsPrior() {
        TargetWorkload fixed = TargetWorkload.fixed(Map.of(A, 1.0), 1.0);
        fixed.observe(B);
        assertThat(fixed.mix().entries()).extracting(WorkloadMix.Entry::shape).containsExactly(A);
        TargetWorkload seeded = TargetWorkload.learning(1e9, 1.0).seedWeights(Map.of(A, 3.0));
        seeded.observe(B);
        assertThat(seeded.mix().entries().getFirst().shape()).isEqualTo(A);
        assertThat(seeded.mix().entries().getFirst().probability()).isCloseTo(0.75, within(1e-6));
    }

    @Test
    void ignoringMemoryMergesShapesThatDifferOnlyInMemory() {
        Map<TaskShape, Double> counts = Map.of(TaskShape.of(1000, 4096, 500, 1), 3.0, TaskShape.of(1000, 8192, 500, 1), 1.0,
                TaskShape.of(1000, 0, 1000, 1), 4.0);
        assertThat(TargetWorkload.fixed(counts, 1.0).mix().size()).isEqualTo(3);
        WorkloadMix merged = TargetWorkload.fixedEmpty(1.0).ignoringMemory().seedWeights(counts).mix();
        assertThat(merged.entries()).extracting(WorkloadMix.Entry::shape)
                .containsExactlyInAnyOrder(TaskShape.of(1000, 0, 500, 1), TaskShape.of(1000, 0, 1000, 1));
        assertThat(merged.entries()).allMatch(e -> Math.abs(e.probability() - 0.5) < 1e-12);
        assertThatThrownBy(() -> TargetWorkload.fixed(counts, 1.0).ignoringMemory()).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void rejectsShapesAndOptionsThatMakeNoSense() {
        assertThatThrownBy(() -> TaskShape.of(0, 0, 500, 2)).hasMessageContaining("whole");
        assertThatThrownBy(() -> TaskShape.of(0, 0, 0, 1)).hasMessageContaining("bad GPU request");
        assertThatThrownBy(() -> TargetWorkload.learning(0, 1)).hasMessageContaining("half-life");
        assertThatThrownBy(() -> WorkloadMix.fromWeights(Map.of(A, 1.0), 0)).hasMessageContaining("coverage");
    }
}
