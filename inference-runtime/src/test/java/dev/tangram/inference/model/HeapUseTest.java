package dev.tangram.inference.model;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HeapUseTest {
    private static final long MIB = 1L << 20;
    private static final long GIB = 1L << 30;

    @Test
    void withNothingKnownTheHeapsMaximumCounts() {
        assertThat(HeapUse.maximum(14 * GIB)).isEqualTo(new HeapUse(14 * GIB, "a heap of up to 14.0 GiB"));
    }

    @Test
    void aServerFillsWhatItHoldsItsYoungGenerationWhatTheBudgetLeavesAndRoomForRequests() {
        // a 30B mixture on a 24 GiB machine: a 14 GiB heap (60 %), 1.75 GiB young, 1 GiB the budget leaves the cache
        HeapUse h = HeapUse.serving(14 * GIB, 200 * MIB, 1792 * MIB, GIB);
        assertThat(h.bytes()).isEqualTo(200 * MIB + 1792 * MIB + GIB + HeapUse.REQUEST_OBJECTS);
        assertThat(h.how()).isEqualTo("a heap filled to at most 3.2 GiB of its 14.0 GiB (0.2 GiB in use, a young generation of up to 1.8 GiB, "
                + "1.0 GiB the budget leaves the KV cache and activations, 256 MiB for requests)");
    }

    @Test
    void aBoundAtOrAboveTheMaximumIsTheMaximum() {
        assertThat(HeapUse.serving(4 * GIB, 100 * MIB, GIB, 3 * GIB)).isEqualTo(HeapUse.maximum(4 * GIB));
        assertThat(HeapUse.serving(4 * GIB, 0, GIB, 3 * GIB - HeapUse.REQUEST_OBJECTS)).isEqualTo(HeapUse.maximum(4 * GIB));
        assertThat(HeapUse.serving(4 * GIB, 0, GIB, 3 * GIB - HeapUse.REQUEST_OBJECTS - 1).bytes()).isEqualTo(4 * GIB - 1);
    }

    @Test
    void aYoungGenerationWithoutAMaximumLeavesTheHeapsMaximum() {
        // G1 gives its young regions no fixed maximum: the young generation may take most of the heap
        assertThat(HeapUse.serving(8 * GIB, 100 * MIB, -1, 0)).isEqualTo(HeapUse.maximum(8 * GIB));
    }

    @Test
    void weightsBeyondTheBudgetLeaveTheCacheNothingNotLessThanNothing() {
        HeapUse h = HeapUse.serving(8 * GIB, 100 * MIB, GIB, -5 * GIB);
        assertThat(h.bytes()).isEqualTo(100 * MIB + GIB + HeapUse.REQUEST_OBJECTS);
        assertThat(h.how()).contains("0.0 GiB the budget leaves");
    }
}
