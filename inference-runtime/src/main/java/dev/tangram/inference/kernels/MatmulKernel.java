package dev.tangram.inference.kernels;

import static dev.tangram.inference.kernels.VectorShapes.F;
import static dev.tangram.inference.kernels.VectorShapes.L;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * {@code out[t][r] = W[r] · x[t]} for a batch of token vectors, parallel over the rows of {@code W} on a
 * {@link WorkerPool}. One token takes the fused path (each weight row decoded inside the dot product). Several tokens
 * share one pass over the weights: each participant decodes four rows, a chunk of columns at a time, into its own
 * L1-sized scratch and multiplies them with every token, four tokens at a time in registers (a 4×4 tile: each loaded
 * vector feeds four multiply-adds), so the weights are read from memory and decoded once per step however many
 * tokens there are.
 * Not reentrant: one multiplication at a time (calls are serialised). Allocates nothing per call once its scratch has
 * grown to the widest matrix.
 */
public final class MatmulKernel {
    private static final int ROWS_PER_TILE = 4;
    private static final int TOKENS_PER_TILE = 4;
    /** 4 decoded rows of 512 floats (8 KiB) plus 4 token slices (8 KiB) fit the L1 data cache of current x86 cores. */
    private static final int CHUNK_COLUMNS = 512;

    private final WorkerPool pool;
    private final float[][] scratch;
    private final float[][] sums;
    // the current multiplication: up to three matrices over the same input, their items (rows, or tiles of rows)
    // numbered one after the other: matrix m owns items [first[m], first[m + 1])
    private final WeightMatrix[] ws = new WeightMatrix[3];
    private final float[][] outs = new float[3][];
    private final int[] first = new int[4];
    private int count;
    private float[] x;
    private int tokens;
    private final WorkerPool.RangeTask singleToken = this::singleTokenRows;
    private final WorkerPool.RangeTask manyTokens = this::manyTokenTiles;

    public MatmulKernel(WorkerPool pool) {
        this.pool = pool;
        this.scratch = new float[pool.size()][];
        this.sums = new float[pool.size()][ROWS_PER_TILE * TOKENS_PER_TILE];
    }

    public WorkerPool pool() {
        return pool;
    }

    /**
     * Multiplies: {@code x} holds {@code tokens} vectors of {@code w.cols()} floats back to back; {@code out} receives
     * {@code tokens} vectors of {@code w.rows()} floats.
     */
    public synchronized void multiply(WeightMatrix w, float[] x, int tokens, float[] out) {
        set(0, w, out);
        run(1, x, tokens);
    }

    /**
     * Two matrices of the same width over the same input (the FFN's gate and up projections) in one parallel region:
     * {@code outA = A·x}, {@code outB = B·x}, laid out as in {@link #multiply(WeightMatrix, float[], int, float[])}.
     */
    public synchronized void multiply(float[] x, int tokens, WeightMatrix a, float[] outA, WeightMatrix b, float[] outB) {
        set(0, a, outA);
        set(1, b, outB);
        run(2, x, tokens);
    }

    /** Three matrices of the same width over the same input (attention's Q, K and V) in one parallel region. */
    public synchronized void multiply(float[] x, int tokens, WeightMatrix a, float[] outA, WeightMatrix b, float[] outB, WeightMatrix c,
            float[] outC) {
        set(0, a, outA);
        set(1, b, outB);
        set(2, c, outC);
        run(3, x, tokens);
    }

    private void set(int m, WeightMatrix w, float[] out) {
        ws[m] = w;
        outs[m] = out;
    }

    private void run(int n, float[] x, int tokens) {
        try {
            int cols = ws[0].cols();
            for (int m = 0; m < n; m++) {
                WeightMatrix w = ws[m];
                if (w.cols() != cols) {
                    throw new IllegalArgumentException("matrices multiplied together need one width: " + w.cols() + " != " + cols);
                }
                if ((long) tokens * w.cols() > x.length || (long) tokens * w.rows() > outs[m].length) {
                    throw new IllegalArgumentException("buffers too small for " + tokens + " tokens of a " + w.rows() + "x" + w.cols() + " matrix");
                }
            }
            this.count = n;
            this.x = x;
            this.tokens = tokens;
            first[0] = 0;
            if (tokens == 1) {
                for (int m = 0; m < n; m++) {
                    first[m + 1] = first[m] + ws[m].rows();
                }
                pool.run(first[n], grain(first[n]), singleToken);
            } else {
                for (int m = 0; m < n; m++) {
                    first[m + 1] = first[m] + (ws[m].rows() + ROWS_PER_TILE - 1) / ROWS_PER_TILE;
                    int need = ROWS_PER_TILE * Math.min(ws[m].cols(), chunkColumns(ws[m]));
                    for (int i = 0; i < scratch.length; i++) {
                        if (scratch[i] == null || scratch[i].length < need) {
                            scratch[i] = new float[need];
                        }
                    }
                }
                pool.run(first[n], Math.max(1, grain(first[n]) / 2), manyTokens);
            }
        } finally {
            java.util.Arrays.fill(ws, null);
            java.util.Arrays.fill(outs, null);
            this.x = null;
        }
    }

    private int grain(int items) {
        return Math.max(1, items / (pool.size() * 16));
    }

    private void singleTokenRows(int from, int to, int worker) {
        float[] in = x;
        for (int m = 0; m < count; m++) {
            int lo = Math.max(from, first[m]);
            int hi = Math.min(to, first[m + 1]);
            WeightMatrix w = ws[m];
            float[] o = outs[m];
            int r = lo - first[m];
            int end = hi - first[m];
            for (; r + 1 < end; r += 2) {
                w.dot2(r, in, 0, o, r);
            }
            if (r < end) {
                o[r] = w.dot(r, in, 0);
            }
        }
    }

    private void manyTokenTiles(int from, int to, int worker) {
        for (int m = 0; m < count; m++) {
            int lo = Math.max(from, first[m]);
            int hi = Math.min(to, first[m + 1]);
            if (lo < hi) {
                tiles(ws[m], outs[m], lo - first[m], hi - first[m], worker);
            }
        }
    }

    private void tiles(WeightMatrix m, float[] o, int from, int to, int worker) {
        float[] in = x;
        float[] s = scratch[worker];
        int cols = m.cols();
        int rows = m.rows();
        int chunk = chunkColumns(m);
        for (int tile = from; tile < to; tile++) {
            int r0 = tile * ROWS_PER_TILE;
            int n = Math.min(ROWS_PER_TILE, rows - r0);
            for (int c0 = 0; c0 < cols; c0 += chunk) {
                int cn = Math.min(chunk, cols - c0);
                for (int i = 0; i < n; i++) {
                    m.dequantize(r0 + i, c0, cn, s, i * cn);
                }
                if (n < ROWS_PER_TILE) {
                    java.util.Arrays.fill(s, n * cn, ROWS_PER_TILE * cn, 0f);
                }
                boolean store = c0 == 0;
                int t = 0;
                for (; t + TOKENS_PER_TILE <= tokens; t += TOKENS_PER_TILE) {
                    tile4x4(s, cn, in, t * cols + c0, cols, o, t * rows + r0, rows, n, store, sums[worker]);
                }
                for (; t < tokens; t++) {
                    tile4x1(s, cn, in, t * cols + c0, o, t * rows + r0, n, store, sums[worker]);
                }
            }
        }
    }

    /** Columns decoded at a time: whole blocks, so that four decoded rows and a few token slices stay in the L1 cache. */
    private static int chunkColumns(WeightMatrix m) {
        int block = m.type().blockElements();
        return Math.max(block, CHUNK_COLUMNS / block * block);
    }

    /**
     * Four decoded rows ({@code w}, back to back, {@code n} wide) against four token slices ({@code x} from {@code xo},
     * {@code xStride} apart): sixteen accumulators, so each loaded vector feeds four multiply-adds. The first {@code rows}
     * results of each token go to {@code out[o + t * oStride ..]}, stored or added to what earlier chunks left there.
     */
    static void tile4x4(float[] w, int n, float[] x, int xo, int xStride, float[] out, int o, int oStride, int rows, boolean store, float[] r) {
        FloatVector a00 = FloatVector.zero(F), a01 = FloatVector.zero(F), a02 = FloatVector.zero(F), a03 = FloatVector.zero(F);
        FloatVector a10 = FloatVector.zero(F), a11 = FloatVector.zero(F), a12 = FloatVector.zero(F), a13 = FloatVector.zero(F);
        FloatVector a20 = FloatVector.zero(F), a21 = FloatVector.zero(F), a22 = FloatVector.zero(F), a23 = FloatVector.zero(F);
        FloatVector a30 = FloatVector.zero(F), a31 = FloatVector.zero(F), a32 = FloatVector.zero(F), a33 = FloatVector.zero(F);
        int x0 = xo, x1 = xo + xStride, x2 = xo + 2 * xStride, x3 = xo + 3 * xStride;
        int i = 0;
        for (int upper = F.loopBound(n); i < upper; i += L) {
            FloatVector w0 = FloatVector.fromArray(F, w, i);
            FloatVector w1 = FloatVector.fromArray(F, w, n + i);
            FloatVector w2 = FloatVector.fromArray(F, w, 2 * n + i);
            FloatVector w3 = FloatVector.fromArray(F, w, 3 * n + i);
            FloatVector v = FloatVector.fromArray(F, x, x0 + i);
            a00 = w0.fma(v, a00);
            a10 = w1.fma(v, a10);
            a20 = w2.fma(v, a20);
            a30 = w3.fma(v, a30);
            v = FloatVector.fromArray(F, x, x1 + i);
            a01 = w0.fma(v, a01);
            a11 = w1.fma(v, a11);
            a21 = w2.fma(v, a21);
            a31 = w3.fma(v, a31);
            v = FloatVector.fromArray(F, x, x2 + i);
            a02 = w0.fma(v, a02);
            a12 = w1.fma(v, a12);
            a22 = w2.fma(v, a22);
            a32 = w3.fma(v, a32);
            v = FloatVector.fromArray(F, x, x3 + i);
            a03 = w0.fma(v, a03);
            a13 = w1.fma(v, a13);
            a23 = w2.fma(v, a23);
            a33 = w3.fma(v, a33);
        }
        r[0] = a00.reduceLanes(VectorOperators.ADD);
        r[1] = a10.reduceLanes(VectorOperators.ADD);
        r[2] = a20.reduceLanes(VectorOperators.ADD);
        r[3] = a30.reduceLanes(VectorOperators.ADD);
        r[4] = a01.reduceLanes(VectorOperators.ADD);
        r[5] = a11.reduceLanes(VectorOperators.ADD);
        r[6] = a21.reduceLanes(VectorOperators.ADD);
        r[7] = a31.reduceLanes(VectorOperators.ADD);
        r[8] = a02.reduceLanes(VectorOperators.ADD);
        r[9] = a12.reduceLanes(VectorOperators.ADD);
        r[10] = a22.reduceLanes(VectorOperators.ADD);
        r[11] = a32.reduceLanes(VectorOperators.ADD);
        r[12] = a03.reduceLanes(VectorOperators.ADD);
        r[13] = a13.reduceLanes(VectorOperators.ADD);
        r[14] = a23.reduceLanes(VectorOperators.ADD);
        r[15] = a33.reduceLanes(VectorOperators.ADD);
                for (; i < n; i++) {
            for (int t = 0; t < 4; t++) {
                float xv = x[xo + t * xStride + i];
                for (int k = 0; k < 4; k++) {
                    r[t * 4 + k] += w[k * n + i] * xv;
                }
            }
        }
        for (int t = 0; t < 4; t++) {
            int oo = o + t * oStride;
            for (int k = 0; k < rows; k++) {
                out[oo + k] = store ? r[t * 4 + k] : out[oo + k] + r[t * 4 + k];
            }
        }
    }

    /** {@link #tile4x4} for a single token. */
    static void tile4x1(float[] w, int n, float[] x, int xo, float[] out, int o, int rows, boolean store, float[] r) {
        FloatVector a0 = FloatVector.zero(F), a1 = FloatVector.zero(F), a2 = FloatVector.zero(F), a3 = FloatVector.zero(F);
        int i = 0;
        for (int upper = F.loopBound(n); i < upper; i += L) {
            FloatVector xv = FloatVector.fromArray(F, x, xo + i);
            a0 = FloatVector.fromArray(F, w, i).fma(xv, a0);
            a1 = FloatVector.fromArray(F, w, n + i).fma(xv, a1);
            a2 = FloatVector.fromArray(F, w, 2 * n + i).fma(xv, a2);
            a3 = FloatVector.fromArray(F, w, 3 * n + i).fma(xv, a3);
        }
        r[0] = a0.reduceLanes(VectorOperators.ADD);
        r[1] = a1.reduceLanes(VectorOperators.ADD);
        r[2] = a2.reduceLanes(VectorOperators.ADD);
        r[3] = a3.reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            float xv = x[xo + i];
            for (int k = 0; k < 4; k++) {
                r[k] += w[k * n + i] * xv;
            }
        }
        for (int k = 0; k < rows; k++) {
            out[o + k] = store ? r[k] : out[o + k] + r[k];
        }
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
