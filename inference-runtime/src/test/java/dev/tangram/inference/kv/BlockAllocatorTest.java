package dev.tangram.inference.kv;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BlockAllocatorTest {
    private static final int[] TOKENS = {1, 2, 3, 4, 5, 6, 7, 8};

    @Test
    void handsOutEveryBlockOnceThenNothing() {
        BlockAllocator a = new BlockAllocator(3, 4);
        assertThat(a.allocate()).contains(0);
        assertThat(a.allocate()).contains(1);
        assertThat(a.allocate()).contains(2);
        assertThat(a.allocate()).isEmpty();
        assertThat(a.usedBlocks()).isEqualTo(3);
    }

    @Test
    void aRegisteredBlockIsSharedByChainHash() {
        BlockAllocator a = new BlockAllocator(4, 4);
        int b = a.allocate().orElseThrow();
        BlockHash h = BlockHash.of(BlockHash.ROOT, TOKENS, 0, 4);
        a.register(b, h);
        assertThat(a.lookup(h)).contains(b);
        assertThat(a.refCount(b)).isEqualTo(2);
        a.release(b);
        a.release(b);
        assertThat(a.evictableBlocks()).isEqualTo(1);
        assertThat(a.lookup(h)).contains(b);
        assertThat(a.evictableBlocks()).isZero();
    }

    @Test
    void theSameTokensUnderAnotherParentAreAnotherBlock() {
        BlockHash first = BlockHash.of(BlockHash.ROOT, TOKENS, 0, 4);
        BlockHash second = BlockHash.of(first, TOKENS, 0, 4);
        assertThat(second).isNotEqualTo(first);
        assertThat(BlockHash.of(BlockHash.ROOT, TOKENS, 0, 4)).isEqualTo(first);
        assertThat(BlockHash.of(BlockHash.ROOT, TOKENS, 4, 8)).isNotEqualTo(first);
    }

    @Test
    void evictsTheLeastRecentlyReleasedCachedBlockWhenNoneIsFree() {
        BlockAllocator a = new BlockAllocator(2, 4);
        int b0 = a.allocate().orElseThrow();
        int b1 = a.allocate().orElseThrow();
        BlockHash h0 = BlockHash.of(BlockHash.ROOT, TOKENS, 0, 4);
        BlockHash h1 = BlockHash.of(BlockHash.ROOT, TOKENS, 4, 8);
        a.register(b0, h0);
        a.register(b1, h1);
        a.release(b1);
        a.release(b0);
        assertThat(a.availableBlocks()).isEqualTo(2);
        assertThat(a.allocate()).contains(b1);
        assertThat(a.contains(h1)).isFalse();
        assertThat(a.contains(h0)).isTrue();
        assertThat(a.evictions()).isEqualTo(1);
    }

    @Test
    void aSecondBlockWithAnAlreadyCachedChainStaysPrivate() {
        BlockAllocator a = new BlockAllocator(2, 4);
        int b0 = a.allocate().orElseThrow();
        int b1 = a.allocate().orElseThrow();
        BlockHash h = BlockHash.of(BlockHash.ROOT, TOKENS, 0, 4);
        a.register(b0, h);
        a.register(b1, h);
        a.release(b1);
        assertThat(a.freeBlocks()).isEqualTo(1);
        assertThat(a.lookup(h)).contains(b0);
    }

    @Test
    void releasingABlockNobodyHoldsIsRefused() {
        BlockAllocator a = new BlockAllocator(2, 4);
        int b = a.allocate().orElseThrow();
        a.release(b);
        assertThatThrownBy(() -> a.release(b)).isInstanceOf(IllegalStateException.class).hasMessageContaining("block " + b);
    }
}
