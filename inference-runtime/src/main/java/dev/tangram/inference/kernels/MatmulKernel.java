package dev.tangram.inference.kernels;

import static dev.tangram.inference.kernels.VectorShapes.F;
import static dev.tangram.inference.kernels.VectorShapes.L;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * {@code out[t][r] = W[r] · x[t]} for a batch of token vectors, parallel over the rows of {@code W} on a
 * {@link WorkerPool}. One token takes the fused path (each weight row decoded inside the dot product). Several tokens
 * share one pass over the weights: each participant decodes four rows into its own scratch and multiplies them with
 * every token, so the weights are read from memory once per step however many tokens there are.
 * Not reentrant: one multiplication at a time (calls are serialised). Allocates nothing per call once its scratch has
 * grown to the widest matrix.
 */
public final class MatmulKernel {
    private static final int ROWS_PER_TILE = 4;

    private final WorkerPool pool;
    private final float[][] scratch;
    private WeightMatrix w;
    private float[] x;
    private float[] out;
    private int tokens;
    private final WorkerPool.RangeTask singleToken = this::singleTokenRows;
    private final WorkerPool.RangeTask manyTokens = this::manyTokenTiles;

    public MatmulKernel(WorkerPool pool) {
        this.pool = pool;
        this.scratch = new float[pool.size()][];
    }

    public WorkerPool pool() {
        return pool;
    }

    /**
     * Multiplies: {@code x} holds {@code tokens} vectors of {@code w.cols()} floats back to back; {@code out} receives
     * {@code tokens} vectors of {@code w.rows()} floats.
     */
    public synchronized void multiply(WeightMatrix w, float[] x, int tokens, float[] out) {
        if ((long) tokens * w.cols() > x.length || (long) tokens * w.rows() > out.length) {
            throw new IllegalArgumentException("buffers too small for " + tokens + " tokens of a " + w.rows() + "x" + w.cols() + " matrix");
        }
        this.w = w;
        this.x = x;
        this.out = out;
        this.tokens = tokens;
        try {
            if (tokens == 1) {
                pool.run(w.rows(), grain(w.rows()), singleToken);
            } else {
                int need = ROWS_PER_TILE * w.cols();
                for (int i = 0; i < scratch.length; i++) {
                    if (scratch[i] == null || scratch[i].length < need) {
                        scratch[i] = new float[need];
                    }
                }
                int tiles = (w.rows() + ROWS_PER_TILE - 1) / ROWS_PER_TILE;
                pool.run(tiles, Math.max(1, grain(tiles) / 2), manyTokens);
            }
        } finally {
            this.w = null;
            this.x = null;
            this.out = null;
        }
    }

    private int grain(int items) {
        return Math.max(1, items / (pool.size() * 16));
    }

    private void singleTokenRows(int from, int to, int worker) {
        WeightMatrix m = w;
        float[] in = x;
        float[] o = out;
        for (int r = from; r < to; r++) {
            o[r] = m.dot(r, in, 0);
        }
    }

    private void manyTokenTiles(int from, int to, int worker) {
        WeightMatrix m = w;
        float[] in = x;
        float[] o = out;
        float[] s = scratch[worker];
        int cols = m.cols();
        int rows = m.rows();
        for (int tile = from; tile < to; tile++) {
            int r0 = tile * ROWS_PER_TILE;
            int n = Math.min(ROWS_PER_TILE, rows - r0);
            for (int i = 0; i < n; i++) {
                m.dequantizeRow(r0 + i, s, i * cols);
            }
            for (int t = 0; t < tokens; t++) {
                int xo = t * cols;
                int oo = t * rows + r0;
                if (n == ROWS_PER_TILE) {
                    dot4(s, cols, in, xo, o, oo);
                } else {
                    for (int i = 0; i < n; i++) {
                        o[oo + i] = dot(s, i * cols, in, xo, cols);
                    }
                }
            }
        }
    }

    /** Four rows of {@code w} (back to back, {@code n} wide) against one vector, written to {@code out[o .. o+4)}. */
    static void dot4(float[] w, int n, float[] x, int xo, float[] out, int o) {
        FloatVector a0 = FloatVector.zero(F), a1 = FloatVector.zero(F), a2 = FloatVector.zero(F), a3 = FloatVector.zero(F);
        int i = 0;
        for (int upper = F.loopBound(n); i < upper; i += L) {
            FloatVector xv = FloatVector.fromArray(F, x, xo + i);
            a0 = FloatVector.fromArray(F, w, i).fma(xv, a0);
            a1 = FloatVector.fromArray(F, w, n + i).fma(xv, a1);
            a2 = FloatVector.fromArray(F, w, 2 * n + i).fma(xv, a2);
            a3 = FloatVector.fromArray(F, w, 3 * n + i).fma(xv, a3);
        }
        float s0 = a0.reduceLanes(VectorOperators.ADD), s1 = a1.reduceLanes(VectorOperators.ADD);
        float s2 = a2.reduceLanes(VectorOperators.ADD), s3 = a3.reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            float xv = x[xo + i];
            s0 += w[i] * xv;
            s1 += w[n + i] * xv;
            s2 += w[2 * n + i] * xv;
            s3 += w[3 * n + i] * xv;
        }
        out[o] = s0;
        out[o + 1] = s1;
        out[o + 2] = s2;
        out[o + 3] = s3;
    }

    /** Dot product of {@code a[ao .. ao+n)} and {@code b[bo .. bo+n)}. */
    public static float dot(float[] a, int ao, float[] b, int bo, int n) {
        FloatVector acc = FloatVector.zero(F);
        int i = 0;
        for (int upper = F.loopBound(n); i < upper; i += L) {
            acc = FloatVector.fromArray(F, a, ao + i).fma(FloatVector.fromArray(F, b, bo + i), acc);
        }
        float s = acc.reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            s += a[ao + i] * b[bo + i];
        }
        return s;
    }

    /** {@code y[yo .. yo+n) += a * x[xo .. xo+n)}. */
    public static void axpy(float a, float[] x, int xo, float[] y, int yo, int n) {
        int i = 0;
        for (int upper = F.loopBound(n); i < upper; i += L) {
            FloatVector.fromArray(F, x, xo + i).fma(FloatVector.broadcast(F, a), FloatVector.fromArray(F, y, yo + i)).intoArray(y, yo + i);
        }
        for (; i < n; i++) {
            y[yo + i] += a * x[xo + i];
        }
    }
}
