package dev.tangram.inference.kernels;

import java.util.Arrays;

/**
 * One KV head's keys and values of one sequence, widened from a narrow cache ({@link NarrowKv}) into floats once for
 * all the query tokens of a prefill chunk that read them, where {@link GroupedAttention} over the narrow cache would
 * widen them again for every query token. The sequence's blocks from the first one asked for are kept in its own order,
 * each a run laid out as {@link GroupedAttention} lays out a cache block, so that its float path reads them as a cache of
 * one KV head whose block table maps the sequence's block {@code b} to {@code b - base}: the same arithmetic in the same
 * order as over the cache itself. A sliding-window layer asks only for the blocks its window reaches. What is widened
 * stays valid while the cache does not change: for one layer's attention of one step ({@code epoch}), one block table and
 * one KV head; a call for another starts over, and one for the same widens only the blocks not yet widened. At most
 * {@link #MAX_FLOATS} floats each for keys and values, and no more than a model's context needs; longer histories are
 * for the tile-by-tile path. One instance per thread.
 */
public final class WidenedHistory {
    /** Floats one instance holds at most for keys, and as many for values (2 MiB each). */
    public static final int MAX_FLOATS = 1 << 19;
    /** The largest block a cache may have ({@code kvCache.blockSize}): a history covers its positions in whole blocks. */
    private static final int MAX_BLOCK = 1024;

    /** Floats this instance holds at most for keys, and as many for values. */
    private final int maxFloats;

    private float[] keys = new float[0];
    private float[] values = new float[0];
    /** The widened history's block table: entry {@code b} is {@code b - base} for the blocks widened. */
    private int[] table = new int[0];
    private long epoch = -1;
    private int[] owner;
    private int kvHead = -1;
    private int blockRun;
    /** The sequence's first block widened, at the start of {@link #keys} and {@link #values}. */
    private int base;
    /** The sequence's block after the last one widened. */
    private int widened;

    /** A history for a model of {@code contextLength} positions and heads of {@code headDim}. */
    public WidenedHistory(int contextLength, int headDim) {
        this.maxFloats = maxFloats(contextLength, headDim);
    }

    /** The floats a history holds at most for each of keys and values: a context's positions in whole blocks, or the cap. */
    private static int maxFloats(int contextLength, int headDim) {
        return (int) Math.min(MAX_FLOATS, ((long) contextLength + MAX_BLOCK) * headDim);
    }

    /** Bytes one instance for such a model holds at most. */
    public static long scratchBytes(int contextLength, int headDim) {
        return 2L * Float.BYTES * maxFloats(contextLength, headDim);
    }

    /** Whether blocks {@code [from, to)} of {@code blockSize} slots of {@code headDim} fit in this instance. */
    public boolean holds(int from, int to, int blockSize, int headDim) {
        return (long) (to - from) * blockSize * headDim <= maxFloats;
    }

    /**
     * Widens blocks {@code [from, to)} of the sequence whose block table is {@code table}, KV head {@code kvHead}, from a
     * layer's narrow cache; blocks widened by an earlier call for the same epoch, table (the same array) and head are
     * kept where they and these fit together.
     */
    public void widen(long epoch, NarrowKv kv, int[] table, int from, int to, int kvHead) {
        int blockSize = kv.blockSize();
        int headDim = kv.headDim();
        if (from < 0 || from >= to || !holds(from, to, blockSize, headDim)) {
            throw new IllegalArgumentException("blocks [" + from + ", " + to + ") of " + blockSize + " × " + headDim
                    + " are no history of at most " + maxFloats + " floats");
        }
        int run = blockSize * headDim;
        if (epoch != this.epoch || table != owner || kvHead != this.kvHead || run != blockRun || from < base || from > widened
                || !holds(base, to, blockSize, headDim)) {
            this.epoch = epoch;
            this.owner = table;
            this.kvHead = kvHead;
            this.blockRun = run;
            base = from;
            widened = from;
        }
        if (keys.length < (to - base) * run) {
            int floats = (int) Math.min(maxFloats, Math.max(2L * (to - base) * run, 16L * run));
            keys = Arrays.copyOf(keys, floats);
            values = Arrays.copyOf(values, floats);
        }
        if (this.table.length < to) {
            this.table = Arrays.copyOf(this.table, Math.max(2 * to, 16));
        }
        for (int b = widened; b < to; b++) {
            kv.widen(GroupedAttention.headRun(table[b], kvHead, blockSize, kv.kvHeads(), headDim), keys, values, (b - base) * run);
            this.table[b] = b - base;
        }
        widened = Math.max(widened, to);
    }

    /** The widened keys: block {@code b}'s run at {@code (b - base) × blockSize × headDim}. */
    public float[] keys() {
        return keys;
    }

    public float[] values() {
        return values;
    }

    /** The widened history's block table, for the blocks widened. */
    public int[] table() {
        return table;
    }
}
