package dev.tangram.inference.allocation;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class HeapRoomTest {
    private static final long MIB = 1024L * 1024;

    @Test
    void theParallelCollectorsOldGenerationBoundsTheRoomNotTheWholeHeap() {
        List<HeapRoom.Pool> pools = List.of(new HeapRoom.Pool("PS Eden Space", 310 * MIB, 36 * MIB),
                new HeapRoom.Pool("PS Survivor Space", 15 * MIB, 0), new HeapRoom.Pool("PS Old Gen", 683 * MIB, 1 * MIB));
        assertThat(HeapRoom.of(pools, 910 * MIB, 37 * MIB)).isEqualTo(682 * MIB);
    }

    @Test
    void theSerialCollectorsTenuredGenerationCountsToo() {
        List<HeapRoom.Pool> pools = List.of(new HeapRoom.Pool("Eden Space", 273 * MIB, 34 * MIB),
                new HeapRoom.Pool("Tenured Gen", 682 * MIB, 2 * MIB));
        assertThat(HeapRoom.of(pools, 989 * MIB, 36 * MIB)).isEqualTo(680 * MIB);
    }

    @Test
    void g1sOldGenerationMayTakeTheWholeHeap() {
        List<HeapRoom.Pool> pools = List.of(new HeapRoom.Pool("G1 Eden Space", 0, 12 * MIB),
                new HeapRoom.Pool("G1 Old Gen", 1024 * MIB, 1 * MIB), new HeapRoom.Pool("G1 Survivor Space", 0, 3 * MIB));
        assertThat(HeapRoom.of(pools, 1024 * MIB, 16 * MIB)).isEqualTo(1023 * MIB);
    }

    @Test
    void withoutAnOldGenerationTheWholeHeapLessWhatIsUsedCounts() {
        assertThat(HeapRoom.of(List.of(new HeapRoom.Pool("Shenandoah", 1024 * MIB, 32 * MIB)), 1024 * MIB, 32 * MIB))
                .isEqualTo(992 * MIB);
        assertThat(HeapRoom.of(List.of(new HeapRoom.Pool("Tenured Gen", -1, 0)), 512 * MIB, 12 * MIB)).isEqualTo(500 * MIB);
    }

    @Test
    void neverNegative() {
        assertThat(HeapRoom.of(List.of(new HeapRoom.Pool("PS Old Gen", 100, 150)), 1000, 10)).isZero();
        assertThat(HeapRoom.of(List.of(), 100, 150)).isZero();
    }

    @Test
    void thisJvmHasRoomBelowItsMaximum() {
        assertThat(HeapRoom.forLongLivedArrays()).isPositive().isLessThanOrEqualTo(Runtime.getRuntime().maxMemory());
    }

    @Test
    void theYoungGenerationsMaximumIsEdenAndSurvivorsWhereTheyHaveOne() {
        List<HeapRoom.Pool> parallel = List.of(new HeapRoom.Pool("PS Eden Space", 1797 * MIB, 31 * MIB),
                new HeapRoom.Pool("PS Survivor Space", 5 * MIB, 0), new HeapRoom.Pool("PS Old Gen", 12656 * MIB, MIB));
        assertThat(HeapRoom.youngMax(parallel)).isEqualTo(1802 * MIB);
        // G1's young regions have no maximum of their own
        List<HeapRoom.Pool> g1 = List.of(new HeapRoom.Pool("G1 Eden Space", -1, 10 * MIB), new HeapRoom.Pool("G1 Old Gen", 3072 * MIB, MIB),
                new HeapRoom.Pool("G1 Survivor Space", -1, 3 * MIB));
        assertThat(HeapRoom.youngMax(g1)).isEqualTo(-1);
        // a collector without generations: nothing to call young
        assertThat(HeapRoom.youngMax(List.of(new HeapRoom.Pool("Shenandoah", 1024 * MIB, 32 * MIB)))).isEqualTo(-1);
    }
}
