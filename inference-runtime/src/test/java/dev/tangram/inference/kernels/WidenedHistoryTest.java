package dev.tangram.inference.kernels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

class WidenedHistoryTest {
    private static final int KV_HEADS = 3;
    private static final int HEAD_DIM = 20;
    private static final int BLOCK = 7;
    private static final int GROUP = 5;

    private final Random r = new Random(5);
    /** A layer's cache of halves, 12 blocks, every slot filled. */
    private final short[] keys = new short[12 * BLOCK * KV_HEADS * HEAD_DIM];
    private final short[] values = new short[keys.length];
    private final HalfKv kv = new HalfKv(keys, values, BLOCK, KV_HEADS, HEAD_DIM);
    private final int[] table = {9, 2, 11, 0, 5, 7, 1, 3};
    private final float[] q = new float[GROUP * HEAD_DIM];

    WidenedHistoryTest() {
        for (int i = 0; i < keys.length; i++) {
            keys[i] = Float.floatToFloat16((float) r.nextGaussian());
            values[i] = Float.floatToFloat16((float) r.nextGaussian());
        }
        for (int i = 0; i < q.length; i++) {
            q[i] = (float) r.nextGaussian();
        }
    }

    private float[] overTheCache(GroupedAttention kernel, int kvHead, int first, int positions) {
        float[] out = new float[q.length];
        kernel.attend(q, 0, 0.25f, kv, table, kvHead, first, positions, out, 0);
        return out;
    }

    private float[] overTheHistory(GroupedAttention kernel, WidenedHistory h, long epoch, int kvHead, int first, int positions) {
        h.widen(epoch, kv, table, first / BLOCK, (positions + BLOCK - 1) / BLOCK, kvHead);
        float[] out = new float[q.length];
        kernel.attend(q, 0, 0.25f, h.keys(), h.values(), h.table(), BLOCK, 1, 0, first, positions, out, 0);
        return out;
    }

    /**
     * Attention over the widened history equals attention over the cache of halves, for the consecutive positions of a
     * prefill chunk (the history growing block by block), a window, and every KV head.
     */
    @Test
    void attentionOverTheHistoryEqualsAttentionOverTheCacheOfHalves() {
        GroupedAttention kernel = new GroupedAttention(GROUP, HEAD_DIM);
        WidenedHistory h = new WidenedHistory(2048, HEAD_DIM);
        for (int kvHead = 0; kvHead < KV_HEADS; kvHead++) {
            for (int positions = 1; positions <= table.length * BLOCK; positions += 3) {
                int first = positions > 20 ? positions - 20 : 0;
                assertThat(overTheHistory(kernel, h, 1, kvHead, first, positions)).as("head %d, %d positions", kvHead, positions)
                        .containsExactly(overTheCache(kernel, kvHead, first, positions), within(1e-6f));
            }
        }
    }

    /** What was widened is kept only for the same epoch, table and head: a changed cache in a new epoch is widened again. */
    @Test
    void anotherEpochTableOrHeadStartsOver() {
        GroupedAttention kernel = new GroupedAttention(GROUP, HEAD_DIM);
        WidenedHistory h = new WidenedHistory(2048, HEAD_DIM);
        overTheHistory(kernel, h, 1, 0, 0, 40);
        // the next layer's cache (here: the same arrays, rewritten) in the next epoch
        for (int i = 0; i < keys.length; i++) {
            keys[i] = Float.floatToFloat16((float) r.nextGaussian());
        }
        assertThat(overTheHistory(kernel, h, 2, 0, 0, 40)).containsExactly(overTheCache(kernel, 0, 0, 40), within(1e-6f));
        // the same epoch, another head
        assertThat(overTheHistory(kernel, h, 2, 2, 0, 40)).containsExactly(overTheCache(kernel, 2, 0, 40), within(1e-6f));
        // the same epoch and head, another sequence's table
        int[] other = {4, 6, 8, 10, 11, 0};
        h.widen(2, kv, other, 0, 6, 2);
        float[] fromHistory = new float[q.length];
        kernel.attend(q, 0, 0.25f, h.keys(), h.values(), h.table(), BLOCK, 1, 0, 0, 40, fromHistory, 0);
        float[] fromCache = new float[q.length];
        kernel.attend(q, 0, 0.25f, kv, other, 2, 0, 40, fromCache, 0);
        assertThat(fromHistory).containsExactly(fromCache, within(1e-6f));
    }

    /** A cache of Q8_0 blocks widens into the history as into the tiles: the same attention, every KV head. */
    @Test
    void attentionOverTheHistoryEqualsAttentionOverACacheOfQ8Blocks() {
        int headDim = 64;
        Q8Kv q8 = Q8Kv.allocate(12, BLOCK, KV_HEADS, headDim);
        float[] k = new float[KV_HEADS * headDim];
        float[] v = new float[k.length];
        for (int p = 0; p < table.length * BLOCK; p++) {
            for (int i = 0; i < k.length; i++) {
                k[i] = (float) r.nextGaussian();
                v[i] = (float) r.nextGaussian();
            }
            q8.store(k, 0, v, 0, table[p / BLOCK], p % BLOCK);
        }
        float[] query = new float[GROUP * headDim];
        for (int i = 0; i < query.length; i++) {
            query[i] = (float) r.nextGaussian();
        }
        GroupedAttention kernel = new GroupedAttention(GROUP, headDim);
        WidenedHistory h = new WidenedHistory(2048, headDim);
        for (int kvHead = 0; kvHead < KV_HEADS; kvHead++) {
            for (int positions = 1; positions <= table.length * BLOCK; positions += 5) {
                float[] fromCache = new float[query.length];
                kernel.attend(query, 0, 0.125f, q8, table, kvHead, 0, positions, fromCache, 0);
                h.widen(1, q8, table, 0, (positions + BLOCK - 1) / BLOCK, kvHead);
                float[] fromHistory = new float[query.length];
                kernel.attend(query, 0, 0.125f, h.keys(), h.values(), h.table(), BLOCK, 1, 0, 0, positions, fromHistory, 0);
                assertThat(fromHistory).as("head %d, %d positions", kvHead, positions).containsExactly(fromCache, within(1e-6f));
            }
        }
    }

    /**
     * A sliding window far along a long sequence, the queries of one prefill chunk: only the blocks their windows reach
     * are widened (the table's earlier entries are not blocks at all, as where the window layers' pool has taken them
     * back), and a history that would outgrow the instance starts again at the window, with the same attention throughout.
     */
    @Test
    void aWindowFarAlongWidensOnlyTheBlocksItReaches() {
        int blocks = 400;
        int window = 30;
        int chunk = 60;
        HalfKv far = HalfKv.allocate(blocks, BLOCK, KV_HEADS, HEAD_DIM);
        int[] table = new int[blocks];
        for (int b = 0; b < blocks; b++) {
            table[b] = (b * 37) % blocks;
        }
        float[] k = new float[KV_HEADS * HEAD_DIM];
        float[] v = new float[k.length];
        for (int p = 0; p < blocks * BLOCK; p++) {
            for (int i = 0; i < k.length; i++) {
                k[i] = (float) r.nextGaussian();
                v[i] = (float) r.nextGaussian();
            }
            far.store(k, 0, v, 0, table[p / BLOCK], p % BLOCK);
        }
        int start = blocks * BLOCK - chunk;
        java.util.Arrays.fill(table, 0, (start - window + 1) / BLOCK, -1);
        GroupedAttention kernel = new GroupedAttention(GROUP, HEAD_DIM);
        // room for 12 blocks of one head (a context of 12 blocks, less the largest block a history allows for): fewer than
        // the chunk's windows reach together, more than one window
        WidenedHistory h = new WidenedHistory(12 * BLOCK - 1024, HEAD_DIM);
        for (int positions = start + 1; positions <= blocks * BLOCK; positions++) {
            int first = positions - window;
            h.widen(3, far, table, first / BLOCK, (positions + BLOCK - 1) / BLOCK, 1);
            float[] fromHistory = new float[q.length];
            kernel.attend(q, 0, 0.25f, h.keys(), h.values(), h.table(), BLOCK, 1, 0, first, positions, fromHistory, 0);
            float[] fromCache = new float[q.length];
            kernel.attend(q, 0, 0.25f, far, table, 1, first, positions, fromCache, 0);
            assertThat(fromHistory).as("%d positions", positions).containsExactly(fromCache, within(1e-6f));
        }
    }

    @Test
    void aHistoryHoldsAtMostItsCapOrItsModelsContextInWholeBlocks() {
        // a long context: the cap, 4,096 positions of heads of 128
        WidenedHistory capped = new WidenedHistory(131072, 128);
        assertThat(capped.holds(0, WidenedHistory.MAX_FLOATS / (16 * 128), 16, 128)).isTrue();
        assertThat(capped.holds(0, WidenedHistory.MAX_FLOATS / (16 * 128) + 1, 16, 128)).isFalse();
        // a window's run of as many blocks, however far along the sequence
        assertThat(capped.holds(1000, 1000 + WidenedHistory.MAX_FLOATS / (16 * 128), 16, 128)).isTrue();
        assertThatThrownBy(() -> capped.widen(1, HalfKv.allocate(1, 16, 1, 128), new int[0], 0, 257, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("blocks [0, 257)");
        assertThat(WidenedHistory.scratchBytes(131072, 128)).isEqualTo(2L * 4 * WidenedHistory.MAX_FLOATS);
        // a short one: its context and one block of the largest size, no more
        WidenedHistory small = new WidenedHistory(2048, 16);
        assertThat(small.holds(0, (2048 + 1024) / 16, 16, 16)).isTrue();
        assertThat(small.holds(0, (2048 + 1024) / 16 + 1, 16, 16)).isFalse();
        assertThat(WidenedHistory.scratchBytes(2048, 16)).isEqualTo(2L * 4 * (2048 + 1024) * 16);
    }
}
