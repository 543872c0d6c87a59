package dev.tangram.inference.kernels;

import static dev.tangram.inference.kernels.VectorShapes.F;
import static dev.tangram.inference.kernels.VectorShapes.L;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * Causal attention of one query token for the query heads that share one KV head (grouped-query attention), over keys
 * and values in a paged cache, and the layout it keeps them in. Within a cache block (blockSize slots × kvDim floats),
 * each KV head has its own run of blockSize × headDim floats: keys transposed ({@code [headDim][slot]}, so that a
 * vector of lanes holds one element of consecutive positions and a score needs no lane sum) and values by slot
 * ({@code [slot][headDim]}). The heads of the group are taken four at a time, so each key and value is read once for
 * four heads; positions go in tiles of whole blocks with a running maximum and sum per head (the online softmax), so the
 * scratch is one tile of scores per head whatever the context length, and the four heads' outputs stay in registers
 * while a tile's values are added into them. One instance per thread.
 *
 * <p>A narrow cache ({@link NarrowKv}: IEEE halves or Q8_0 blocks) keeps the same layout; a tile's runs are widened to
 * floats into this instance's scratch first, and the float code runs over the scratch, so every cache type shares
 * every line of arithmetic, in the same order.
 */
public final class GroupedAttention {
    /** Positions per tile of scores (at least one block). */
    static final int TILE = 256;
    private static final int HEADS_AT_ONCE = 4;

    private final int group;
    private final int headDim;
    /** [group × tile]: the tile's scores, then their exponentials; grown to the tile of the block size in use. */
    private float[] scores = new float[0];
    /** Positions per tile: whole blocks, {@link #TILE} or one block if that is larger. */
    private int tile;
    /** [blocks of a tile]: where each block's run for this KV head starts. */
    private int[] bases = new int[0];
    /** [tile]: where each position of the tile has its value row. */
    private int[] rows = new int[0];
    /** [tile × headDim]: a tile's key and value runs widened from a narrow cache, block by block; empty until one is read. */
    private float[] keyTile = new float[0];
    private float[] valueTile = new float[0];
    /** [group × headDim]: each head's output so far, not yet divided by its sum. */
    private final float[] acc;
    private final float[] max;
    private final float[] sum;
    /** Gemma 2's soft cap on the scaled scores (0: none). */
    private final float cap;

    public GroupedAttention(int group, int headDim) {
        this(group, headDim, 0);
    }

    /**
     * A kernel whose scores, once scaled, are soft-capped before the softmax: {@code cap · tanh(score / cap)} (Gemma 2's
     * {@code attn_logit_softcapping}; 0: none).
     */
    public GroupedAttention(int group, int headDim, float cap) {
        if (group < 1 || headDim < 1) {
            throw new IllegalArgumentException("group and head size must be positive, got " + group + " and " + headDim);
        }
        if (!(cap >= 0 && Float.isFinite(cap))) {
            throw new IllegalArgumentException("the score cap must be finite and not negative, got " + cap);
        }
        this.cap = cap;
        this.group = group;
        this.headDim = headDim;
        this.acc = new float[group * headDim];
        this.max = new float[group];
        this.sum = new float[group];
    }

    /** The most positions a tile has (for the largest block size a cache may have). */
    private static final int MAX_TILE = 1024;

    /**
     * Bytes of scratch one instance holds at most, for blocks of up to {@link #MAX_TILE} slots: tiles of at most that
     * many positions, in at most {@link #TILE} blocks, and a tile's keys and values widened from a narrow cache.
     */
    public static long scratchBytes(int group, int headDim) {
        return 4L * ((long) group * MAX_TILE + MAX_TILE + TILE + (long) group * headDim + 2L * group + 2L * MAX_TILE * headDim);
    }

    private static int tilePositions(int blockSize) {
        return Math.max(1, TILE / blockSize) * blockSize;
    }

    /** Where the run of KV head {@code kvHead} starts in block {@code block} of a layer's keys or values. */
    public static int headRun(int block, int kvHead, int blockSize, int kvHeads, int headDim) {
        return (block * kvHeads + kvHead) * blockSize * headDim;
    }

    /**
     * Stores one token's keys and values ({@code kvHeads × headDim} floats each, from {@code k[kOff ..)} and
     * {@code v[vOff ..)}) into slot {@code slot} of block {@code block}, in this class's layout.
     */
    public static void store(float[] k, int kOff, float[] v, int vOff, float[] keys, float[] values, int block, int slot, int blockSize,
                             int kvHeads, int headDim) {
        for (int h = 0; h < kvHeads; h++) {
            int run = headRun(block, h, blockSize, kvHeads, headDim);
            int from = kOff + h * headDim;
            for (int d = 0; d < headDim; d++) {
                keys[run + d * blockSize + slot] = k[from + d];
            }
            System.arraycopy(v, vOff + h * headDim, values, run + slot * headDim, headDim);
        }
    }

    /**
     * Attends from the group's query heads to positions {@code [0, positions)}.
     *
     * @param q         the query heads, head {@code g} at {@code q[qOff + g·headDim ..)}
     * @param scale     multiplies every score (1/√headDim)
     * @param keys      the layer's keys, in this class's layout ({@link #store})
     * @param values    the layer's values, likewise
     * @param table     the sequence's block table: position {@code p} is in block {@code table[p / blockSize]}
     * @param out       receives head {@code g}'s output at {@code out[outOff + g·headDim ..)}
     */
    public void attend(float[] q, int qOff, float scale, float[] keys, float[] values, int[] table, int blockSize, int kvHeads,
                       int kvHead, int positions, float[] out, int outOff) {
        attend(q, qOff, scale, keys, values, table, blockSize, kvHeads, kvHead, 0, positions, out, outOff);
    }

    /**
     * Attends from the group's query heads to positions {@code [first, positions)} (a sliding window's), as
     * {@link #attend(float[], int, float, float[], float[], int[], int, int, int, int, float[], int)} does to all.
     */
    public void attend(float[] q, int qOff, float scale, float[] keys, float[] values, int[] table, int blockSize, int kvHeads,
                       int kvHead, int first, int positions, float[] out, int outOff) {
        attend(q, qOff, scale, keys, values, table, blockSize, kvHeads, kvHead, first, positions, out, outOff, null, 0);
    }

    /**
     * As {@link #attend(float[], int, float, float[], float[], int[], int, int, int, int, int, float[], int)}, each head
     * {@code g} of the group with a sink, {@code sinks[sinkOff + g]} (gpt-oss's; {@code sinks} null: none): a logit, not
     * scaled, that joins the softmax's sum (and its maximum) and contributes no value.
     */
    public void attend(float[] q, int qOff, float scale, float[] keys, float[] values, int[] table, int blockSize, int kvHeads,
                       int kvHead, int first, int positions, float[] out, int outOff, float[] sinks, int sinkOff) {
        attend(q, qOff, scale, keys, values, null, table, blockSize, kvHeads, kvHead, first, positions, out, outOff, sinks, sinkOff);
    }

    /**
     * Attends from the group's query heads to positions {@code [first, positions)} of a narrow cache ({@link NarrowKv}:
     * halves or Q8_0 blocks): the float kernel over each tile's runs widened to floats.
     */
    public void attend(float[] q, int qOff, float scale, NarrowKv kv, int[] table, int kvHead, int first, int positions, float[] out,
                       int outOff) {
        attend(q, qOff, scale, kv, table, kvHead, first, positions, out, outOff, null, 0);
    }

    /** The narrow cache's attention with each head's sink, as the float one's. */
    public void attend(float[] q, int qOff, float scale, NarrowKv kv, int[] table, int kvHead, int first, int positions, float[] out,
                       int outOff, float[] sinks, int sinkOff) {
        attend(q, qOff, scale, null, null, kv, table, kv.blockSize(), kv.kvHeads(), kvHead, first, positions, out, outOff, sinks, sinkOff);
    }

    /** The attention over floats, or (where {@code narrow} is not null) over a narrow cache widened a tile at a time. */
    private void attend(float[] q, int qOff, float scale, float[] keys, float[] values, NarrowKv narrow, int[] table, int blockSize,
                        int kvHeads, int kvHead, int first, int positions, float[] out, int outOff, float[] sinks, int sinkOff) {
        if (first < 0 || first >= positions) {
            throw new IllegalArgumentException("the window [" + first + ", " + positions + ") holds no position");
        }
        if (blockSize < 1 || blockSize > MAX_TILE) {
            throw new IllegalArgumentException("block size must be in [1, " + MAX_TILE + "], got " + blockSize);
        }
        grow(blockSize, narrow != null);
        Arrays.fill(max, Float.NEGATIVE_INFINITY);
        Arrays.fill(sum, 0f);
        Arrays.fill(acc, 0f);
        int hd = headDim;
        // tiles start at block boundaries; the positions of the first block before the window are masked out
        for (int start = first - first % blockSize; start < positions; start += tile) {
            int n = Math.min(tile, positions - start);
            int blocks = (n + blockSize - 1) / blockSize;
            float[] k = keys;
            float[] v = values;
            for (int b = 0; b < blocks; b++) {
                bases[b] = headRun(table[start / blockSize + b], kvHead, blockSize, kvHeads, hd);
                if (narrow != null) {
                    narrow.widen(bases[b], keyTile, valueTile, b * blockSize * hd);
                    bases[b] = b * blockSize * hd;
                    k = keyTile;
                    v = valueTile;
                }
                int slots = Math.min(blockSize, n - b * blockSize);
                for (int s = 0; s < slots; s++) {
                    rows[b * blockSize + s] = bases[b] + s * hd;
                }
            }
            int g = 0;
            for (; g + HEADS_AT_ONCE <= group; g += HEADS_AT_ONCE) {
                for (int b = 0; b < blocks; b++) {
                    scores4(q, qOff + g * hd, k, bases[b], blockSize, Math.min(blockSize, n - b * blockSize), g * tile + b * blockSize);
                }
            }
            for (; g < group; g++) {
                for (int b = 0; b < blocks; b++) {
                    scores1(q, qOff + g * hd, k, bases[b], blockSize, Math.min(blockSize, n - b * blockSize), g * tile + b * blockSize);
                }
            }
            for (g = 0; g < group; g++) {
                float tileScale = scale;
                if (cap != 0) {
                    Elementwise.softCap(scores, g * tile, g * tile + n, scale, cap);
                    tileScale = 1;
                }
                if (start < first) {
                    Arrays.fill(scores, g * tile, g * tile + first - start, Float.NEGATIVE_INFINITY);
                }
                softmaxStep(g, n, tileScale);
            }
            for (g = 0; g + HEADS_AT_ONCE <= group; g += HEADS_AT_ONCE) {
                values4(v, n, g);
            }
            for (; g < group; g++) {
                values1(v, n, g);
            }
        }
        for (int g = 0; g < group; g++) {
            float inv = 1f / sum[g];
            if (sinks != null) {
                // the sink joins the sum under the larger of its logit and the scores' maximum, as llama.cpp folds it in
                float sink = sinks[sinkOff + g];
                float newMax = Math.max(max[g], sink);
                float correction = StableMath.exp(max[g] - newMax);
                inv = correction / (sum[g] * correction + StableMath.exp(sink - newMax));
            }
            for (int d = 0; d < hd; d++) {
                out[outOff + g * hd + d] = acc[g * hd + d] * inv;
            }
        }
    }

    private void grow(int blockSize, boolean narrow) {
        int t = tilePositions(blockSize);
        if (t != tile) {
            tile = t;
            scores = new float[group * t];
            rows = new int[t];
            bases = new int[t / blockSize];
        }
        if (narrow && keyTile.length != t * headDim) {
            keyTile = new float[t * headDim];
            valueTile = new float[t * headDim];
        }
    }

    /**
     * Raw scores of four heads (queries from {@code qo}, one after the other) against the first {@code slots} keys of one
     * block, whose transposed run starts at {@code run}: lanes hold consecutive slots, so each element of the keys is one
     * vector load and four multiply-adds, and no lanes are summed.
     */
    private void scores4(float[] q, int qo, float[] keys, int run, int blockSize, int slots, int at) {
        int hd = headDim;
        for (int s0 = 0; s0 < slots; s0 += L) {
            VectorMask<Float> m = F.indexInRange(s0, slots);
            FloatVector a0 = FloatVector.zero(F);
            FloatVector a1 = FloatVector.zero(F);
            FloatVector a2 = FloatVector.zero(F);
            FloatVector a3 = FloatVector.zero(F);
            FloatVector b0 = FloatVector.zero(F);
            FloatVector b1 = FloatVector.zero(F);
            FloatVector b2 = FloatVector.zero(F);
            FloatVector b3 = FloatVector.zero(F);
            int d = 0;
            for (; d + 1 < hd; d += 2) {
                FloatVector k = FloatVector.fromArray(F, keys, run + d * blockSize + s0, m);
                FloatVector k2 = FloatVector.fromArray(F, keys, run + (d + 1) * blockSize + s0, m);
                a0 = k.fma(FloatVector.broadcast(F, q[qo + d]), a0);
                a1 = k.fma(FloatVector.broadcast(F, q[qo + hd + d]), a1);
                a2 = k.fma(FloatVector.broadcast(F, q[qo + 2 * hd + d]), a2);
                a3 = k.fma(FloatVector.broadcast(F, q[qo + 3 * hd + d]), a3);
                b0 = k2.fma(FloatVector.broadcast(F, q[qo + d + 1]), b0);
                b1 = k2.fma(FloatVector.broadcast(F, q[qo + hd + d + 1]), b1);
                b2 = k2.fma(FloatVector.broadcast(F, q[qo + 2 * hd + d + 1]), b2);
                b3 = k2.fma(FloatVector.broadcast(F, q[qo + 3 * hd + d + 1]), b3);
            }
            if (d < hd) {
                FloatVector k = FloatVector.fromArray(F, keys, run + d * blockSize + s0, m);
                a0 = k.fma(FloatVector.broadcast(F, q[qo + d]), a0);
                a1 = k.fma(FloatVector.broadcast(F, q[qo + hd + d]), a1);
                a2 = k.fma(FloatVector.broadcast(F, q[qo + 2 * hd + d]), a2);
                a3 = k.fma(FloatVector.broadcast(F, q[qo + 3 * hd + d]), a3);
            }
            a0.add(b0).intoArray(scores, at + s0, m);
            a1.add(b1).intoArray(scores, at + tile + s0, m);
            a2.add(b2).intoArray(scores, at + 2 * tile + s0, m);
            a3.add(b3).intoArray(scores, at + 3 * tile + s0, m);
        }
    }

    /** {@link #scores4} for one head (two accumulators, so that the multiply-adds do not all wait on one another). */
    private void scores1(float[] q, int qo, float[] keys, int run, int blockSize, int slots, int at) {
        int hd = headDim;
        for (int s0 = 0; s0 < slots; s0 += L) {
            VectorMask<Float> m = F.indexInRange(s0, slots);
            FloatVector a = FloatVector.zero(F);
            FloatVector b = FloatVector.zero(F);
            int d = 0;
            for (; d + 1 < hd; d += 2) {
                a = FloatVector.fromArray(F, keys, run + d * blockSize + s0, m).fma(FloatVector.broadcast(F, q[qo + d]), a);
                b = FloatVector.fromArray(F, keys, run + (d + 1) * blockSize + s0, m).fma(FloatVector.broadcast(F, q[qo + d + 1]), b);
            }
            if (d < hd) {
                a = FloatVector.fromArray(F, keys, run + d * blockSize + s0, m).fma(FloatVector.broadcast(F, q[qo + d]), a);
            }
            a.add(b).intoArray(scores, at + s0, m);
        }
    }

    /**
     * Folds head {@code g}'s tile of scores into its running softmax: the scores become {@code exp(scale·s − max)} under
     * the new maximum, and what was summed and accumulated under the old one is scaled down to it.
     */
    private void softmaxStep(int g, int n, float scale) {
        int at = g * tile;
        int bound = F.loopBound(n);
        FloatVector vmax = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
        int j = 0;
        for (; j < bound; j += L) {
            vmax = vmax.max(FloatVector.fromArray(F, scores, at + j));
        }
        float tileMax = vmax.reduceLanes(VectorOperators.MAX);
        for (; j < n; j++) {
            tileMax = Math.max(tileMax, scores[at + j]);
        }
        float newMax = Math.max(max[g], tileMax * scale);
        float correction = StableMath.exp(max[g] - newMax); // 0 for the first tile (max was -inf)
        FloatVector vscale = FloatVector.broadcast(F, scale);
        FloatVector vshift = FloatVector.broadcast(F, newMax);
        FloatVector vsum = FloatVector.zero(F);
        // the exponentials and their sum with the same bits in every JIT tier (StableMath), the tail's as a lane's
        for (j = 0; j < bound; j += L) {
            FloatVector e = StableMath.exp(FloatVector.fromArray(F, scores, at + j).fma(vscale, vshift.neg()));
            e.intoArray(scores, at + j);
            vsum = vsum.add(e);
        }
        float tileSum = VectorShapes.sum(vsum);
        for (; j < n; j++) {
            float e = StableMath.exp(Math.fma(scores[at + j], scale, -newMax));
            scores[at + j] = e;
            tileSum += e;
        }
        sum[g] = sum[g] * correction + tileSum;
        max[g] = newMax;
        if (correction != 1f) {
            for (int d = g * headDim; d < (g + 1) * headDim; d++) {
                acc[d] *= correction;
            }
        }
    }

    /** Adds the tile's values, weighted by four heads' exponentials, into those heads' outputs. */
    private void values4(float[] values, int n, int g) {
        int hd = headDim;
        int bound = F.loopBound(hd);
        int p0 = g * tile;
        int o = g * hd;
        int i = 0;
        for (; i < bound; i += L) {
            FloatVector o0 = FloatVector.fromArray(F, acc, o + i);
            FloatVector o1 = FloatVector.fromArray(F, acc, o + hd + i);
            FloatVector o2 = FloatVector.fromArray(F, acc, o + 2 * hd + i);
            FloatVector o3 = FloatVector.fromArray(F, acc, o + 3 * hd + i);
            for (int j = 0; j < n; j++) {
                FloatVector v = FloatVector.fromArray(F, values, rows[j] + i);
                o0 = v.fma(FloatVector.broadcast(F, scores[p0 + j]), o0);
                o1 = v.fma(FloatVector.broadcast(F, scores[p0 + tile + j]), o1);
                o2 = v.fma(FloatVector.broadcast(F, scores[p0 + 2 * tile + j]), o2);
                o3 = v.fma(FloatVector.broadcast(F, scores[p0 + 3 * tile + j]), o3);
            }
            o0.intoArray(acc, o + i);
            o1.intoArray(acc, o + hd + i);
            o2.intoArray(acc, o + 2 * hd + i);
            o3.intoArray(acc, o + 3 * hd + i);
        }
        for (int h = 0; h < HEADS_AT_ONCE; h++) {
            valuesTail(values, n, g + h, i);
        }
    }

    /** {@link #values4} for one head. */
    private void values1(float[] values, int n, int g) {
        int hd = headDim;
        int bound = F.loopBound(hd);
        int p0 = g * tile;
        int o = g * hd;
        int i = 0;
        for (; i < bound; i += L) {
            FloatVector o0 = FloatVector.fromArray(F, acc, o + i);
            for (int j = 0; j < n; j++) {
                o0 = FloatVector.fromArray(F, values, rows[j] + i).fma(FloatVector.broadcast(F, scores[p0 + j]), o0);
            }
            o0.intoArray(acc, o + i);
        }
        valuesTail(values, n, g, i);
    }

    /** The elements of head {@code g}'s output from {@code from} on that a whole vector does not cover, one at a time. */
    private void valuesTail(float[] values, int n, int g, int from) {
        int p0 = g * tile;
        int o = g * headDim;
        for (int i = from; i < headDim; i++) {
            float a = acc[o + i];
            for (int j = 0; j < n; j++) {
                a += scores[p0 + j] * values[rows[j] + i];
            }
            acc[o + i] = a;
        }
    }
}
