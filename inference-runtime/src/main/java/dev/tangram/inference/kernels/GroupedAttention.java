package dev.tangram.inference.kernels;

import static dev.tangram.inference.kernels.VectorShapes.F;
import static dev.tangram.inference.kernels.VectorShapes.L;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Causal attention of one query token for the query heads that share one KV head (grouped-query attention), over keys
 * and values in a paged cache. The heads of the group are taken four at a time, so that each key and value row is read
 * once for four heads; positions go in tiles of {@link #TILE} with a running maximum and sum per head (the online
 * softmax), so the scratch is one tile of scores per head whatever the context length, and the four heads' outputs
 * stay in registers while a tile's values are added into them. One instance per thread.
 */
public final class GroupedAttention {
    /** Positions per tile of scores. */
    static final int TILE = 256;
    private static final int HEADS_AT_ONCE = 4;

    private final int group;
    private final int headDim;
    /** [group × TILE]: the tile's scores, then their exponentials. */
    private final float[] scores;
    /** [TILE]: where each position of the tile has its key (and value) row. */
    private final int[] rows = new int[TILE];
    /** [group × headDim]: each head's output so far, not yet divided by its sum. */
    private final float[] acc;
    private final float[] max;
    private final float[] sum;

    public GroupedAttention(int group, int headDim) {
        if (group < 1 || headDim < 1) {
            throw new IllegalArgumentException("group and head size must be positive, got " + group + " and " + headDim);
        }
        this.group = group;
        this.headDim = headDim;
        this.scores = new float[group * TILE];
        this.acc = new float[group * headDim];
        this.max = new float[group];
        this.sum = new float[group];
    }

    /** Bytes of scratch one instance holds. */
    public static long scratchBytes(int group, int headDim) {
        return 4L * (group * TILE + TILE + group * headDim + 2L * group);
    }

    /**
     * Attends from the group's query heads to positions {@code [0, positions)}.
     *
     * @param q         the query heads, head {@code g} at {@code q[qOff + g·headDim ..)}
     * @param scale     multiplies every score (1/√headDim)
     * @param keys      the layer's keys: position {@code p}'s row at {@code (table[p / blockSize]·blockSize + p % blockSize)·rowStride + kvOff}
     * @param values    the layer's values, laid out as the keys
     * @param out       receives head {@code g}'s output at {@code out[outOff + g·headDim ..)}
     */
    public void attend(float[] q, int qOff, float scale, float[] keys, float[] values, int[] table, int blockSize, int rowStride,
                       int kvOff, int positions, float[] out, int outOff) {
        Arrays.fill(max, Float.NEGATIVE_INFINITY);
        Arrays.fill(sum, 0f);
        Arrays.fill(acc, 0f);
        int block = 0;
        int slot = 0;
        for (int start = 0; start < positions; start += TILE) {
            int n = Math.min(TILE, positions - start);
            for (int j = 0; j < n; j++) {
                rows[j] = (table[block] * blockSize + slot) * rowStride + kvOff;
                if (++slot == blockSize) {
                    slot = 0;
                    block++;
                }
            }
            int g = 0;
            for (; g + HEADS_AT_ONCE <= group; g += HEADS_AT_ONCE) {
                scores4(q, qOff + g * headDim, keys, n, g * TILE);
            }
            for (; g < group; g++) {
                scores1(q, qOff + g * headDim, keys, n, g * TILE);
            }
            for (g = 0; g < group; g++) {
                softmaxStep(g, n, scale);
            }
            for (g = 0; g + HEADS_AT_ONCE <= group; g += HEADS_AT_ONCE) {
                values4(values, n, g);
            }
            for (; g < group; g++) {
                values1(values, n, g);
            }
        }
        for (int g = 0; g < group; g++) {
            float inv = 1f / sum[g];
            for (int d = 0; d < headDim; d++) {
                out[outOff + g * headDim + d] = acc[g * headDim + d] * inv;
            }
        }
    }

    /** Raw scores of four heads (queries from {@code qo}, one after the other) against the tile's keys. */
    private void scores4(float[] q, int qo, float[] keys, int n, int at) {
        int hd = headDim;
        int bound = F.loopBound(hd);
        for (int j = 0; j < n; j++) {
            int row = rows[j];
            FloatVector a0 = FloatVector.zero(F);
            FloatVector a1 = FloatVector.zero(F);
            FloatVector a2 = FloatVector.zero(F);
            FloatVector a3 = FloatVector.zero(F);
            int i = 0;
            for (; i < bound; i += L) {
                FloatVector k = FloatVector.fromArray(F, keys, row + i);
                a0 = FloatVector.fromArray(F, q, qo + i).fma(k, a0);
                a1 = FloatVector.fromArray(F, q, qo + hd + i).fma(k, a1);
                a2 = FloatVector.fromArray(F, q, qo + 2 * hd + i).fma(k, a2);
                a3 = FloatVector.fromArray(F, q, qo + 3 * hd + i).fma(k, a3);
            }
            float s0 = VectorShapes.sum(a0);
            float s1 = VectorShapes.sum(a1);
            float s2 = VectorShapes.sum(a2);
            float s3 = VectorShapes.sum(a3);
            for (; i < hd; i++) {
                float k = keys[row + i];
                s0 += q[qo + i] * k;
                s1 += q[qo + hd + i] * k;
                s2 += q[qo + 2 * hd + i] * k;
                s3 += q[qo + 3 * hd + i] * k;
            }
            scores[at + j] = s0;
            scores[at + TILE + j] = s1;
            scores[at + 2 * TILE + j] = s2;
            scores[at + 3 * TILE + j] = s3;
        }
    }

    private void scores1(float[] q, int qo, float[] keys, int n, int at) {
        for (int j = 0; j < n; j++) {
            scores[at + j] = MatmulKernel.dot(q, qo, keys, rows[j], headDim);
        }
    }

    /**
     * Folds head {@code g}'s tile of scores into its running softmax: the scores become {@code exp(scale·s − max)} under
     * the new maximum, and what was summed and accumulated under the old one is scaled down to it.
     */
    private void softmaxStep(int g, int n, float scale) {
        int at = g * TILE;
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
        float correction = (float) Math.exp(max[g] - newMax); // 0 for the first tile (max was -inf)
        FloatVector vscale = FloatVector.broadcast(F, scale);
        FloatVector vshift = FloatVector.broadcast(F, newMax);
        FloatVector vsum = FloatVector.zero(F);
        for (j = 0; j < bound; j += L) {
            FloatVector e = FloatVector.fromArray(F, scores, at + j).fma(vscale, vshift.neg()).lanewise(VectorOperators.EXP);
            e.intoArray(scores, at + j);
            vsum = vsum.add(e);
        }
        float tileSum = vsum.reduceLanes(VectorOperators.ADD);
        for (; j < n; j++) {
            float e = (float) Math.exp(scores[at + j] * scale - newMax);
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
        int p0 = g * TILE;
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
                o1 = v.fma(FloatVector.broadcast(F, scores[p0 + TILE + j]), o1);
                o2 = v.fma(FloatVector.broadcast(F, scores[p0 + 2 * TILE + j]), o2);
                o3 = v.fma(FloatVector.broadcast(F, scores[p0 + 3 * TILE + j]), o3);
            }
            o0.intoArray(acc, o + i);
            o1.intoArray(acc, o + hd + i);
            o2.intoArray(acc, o + 2 * hd + i);
            o3.intoArray(acc, o + 3 * hd + i);
        }
        for (; i < hd; i++) {
            for (int h = 0; h < HEADS_AT_ONCE; h++) {
                float a = acc[o + h * hd + i];
                for (int j = 0; j < n; j++) {
                    a += scores[p0 + h * TILE + j] * values[rows[j] + i];
                }
                acc[o + h * hd + i] = a;
            }
        }
    }

    private void values1(float[] values, int n, int g) {
        for (int j = 0; j < n; j++) {
            MatmulKernel.axpy(scores[g * TILE + j], values, rows[j], acc, g * headDim, headDim);
        }
    }
}
