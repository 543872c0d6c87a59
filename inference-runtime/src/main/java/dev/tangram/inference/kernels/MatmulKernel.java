package dev.tangram.inference.kernels;

import static dev.tangram.inference.kernels.VectorShapes.F;
import static dev.tangram.inference.kernels.VectorShapes.L;

import jdk.incubator.vector.FloatVector;

/**
 * {@code out[t][r] = W[r] · x[t]} for a batch of token vectors, parallel over the rows of {@code W} on a
 * {@link WorkerPool}. One token takes the fused path (each weight row decoded inside the dot product). Several tokens
 * share one pass over the weights: each participant decodes a few tiles of four rows (whole rows for decode steps, a
 * slice of columns at a time for prefill) into its own scratch and multiplies them with every token, a slice of columns and four tokens at a time in registers (a 4×4
 * tile: each loaded vector feeds four multiply-adds), so the weights are read from memory and decoded once per step
 * however many tokens there are. A tile's sixteen accumulators are parked, as vectors, in the participant's scratch
 * between slices and summed across lanes once per row. Where the JVM places arrays on cache lines
 * ({@link LineAlignment}), decoded rows, token vectors (a copy of the input) and parked accumulators start on a line.
 * {@link LaneGroupMatrix}es (Q8_0/Q4_0/Q4_K/Q5_K/Q6_K with rows in lanes) take their own paths: one to a few tokens group by group
 * straight from the quants ({@link Q8LaneMatrix#dotGroup}, {@link Q4LaneMatrix#dotGroup}), the rest of a decode step's
 * batch the same way eight tokens at a time where the vector width suits ({@link LanePaths#octets}), prefill in register
 * tiles of groups by tokens ({@link LaneTiles}); their results are whole vectors of rows, with no sums across lanes.
 * A Q4_0 lane matrix multiplies the input rounded to 8 bits per block of 32 ({@link Int8Activations}): one token in
 * short lanes, a decode step's batch in short lanes or in floats by the vector width ({@link LanePaths#q4StepsInShorts}),
 * prefill as floats in the tiles. K-quant (Q4_K, Q5_K, Q6_K) lane matrices round it too: one token in short lanes, a decode step of
 * two to seven the same way where the vector width takes short lanes ({@link #kQuantStep}), other batches as floats in
 * the tiles. With {@link Q4Activations#FLOAT} all of them multiply the input as it is, in floats throughout.
 * Not reentrant: one multiplication at a time (calls are serialised). Allocates nothing per call once its scratch and
 * input copy have grown to the widest matrix and the most tokens.
 */
public final class MatmulKernel {
    private static final int ROWS_PER_TILE = 4;
    private static final int TOKENS_PER_TILE = 4;
    /**
     * Columns one register tile covers in one call: four decoded rows and four token slices of 512 columns (16 KiB) stay
     * in L1 while every token group passes over them. Decoding 2,048 columns and tiling them whole (32 + 32 KiB, out of
     * L1) was ~15 % slower; 256 and 1,024 were no better. Both decoding paths decode this many columns of a row at a
     * time, which is whole blocks of every type a {@link WeightMatrix} can hold (1, 32 or 256 elements a block).
     */
    static final int TILE_COLUMNS = 512;
    /**
     * From this many tokens on (prefill), tiles are taken in panels of {@link #PANEL_TILES}: the panel's rows are decoded
     * {@link #TILE_COLUMNS} columns at a time and every token slice is multiplied with all of them while it is in L1, so
     * the token matrix (megabytes at 512 tokens) is read once per panel instead of once per four rows. Measured with
     * {@code engine-bench --matmul-tokens} on the 1b preset: 512 tokens 43-50 → 76-79 GMAC/s; at 16 tokens (x fits L2)
     * panels were no faster than decoding whole rows, so decode steps do that.
     */
    static final int PANEL_MIN_TOKENS = 32;
    static final int PANEL_TILES = 8;
    /**
     * Below {@link #PANEL_MIN_TOKENS} (decode steps), tiles go in pairs: eight whole rows decoded into one half of the
     * scratch, so that each token slice loaded into L1 serves two tiles instead of one, halving what the tiles read from
     * L2; and while one pair is multiplied, the next pair's rows are decoded into the other half, a piece of
     * {@link #TILE_COLUMNS} before each tile call, so that waiting for memory overlaps arithmetic instead of following it.
     * Measured with the matmul alone at 16 tokens (1b preset, Q8_0, two threads): one tile at a time 53-56 GMAC/s, pairs
     * 60-61 (four tiles 56-57); on cache lines ({@link LineAlignment}) 73-79, and decoding ahead 81-86.
     */
    static final int DECODE_PANEL_TILES = 2;
    /** One vector of lanes per row of a tile. */
    private static final int ACC_PER_TOKEN = ROWS_PER_TILE * L;
    /**
     * Columns of a {@link LaneGroupMatrix} group decoded at a time for the many-token path: 64 columns of four groups of 16
     * rows are 16 KiB of floats, half of L1, beside the tiles' token values.
     */
    static final int LANE_SLICE = 64;
    /**
     * From this many tokens on, lane matrices that take no octets or short lanes for the batch ({@link LanePaths}) decode
     * it into the scratch and multiply it in register tiles; below it each group is multiplied straight from its quants
     * ({@link Q8LaneMatrix#dotGroup4}, {@link Q4LaneMatrix#dotGroup4}). Octets start lower, at {@link LaneTiles#OCTET_MIN}.
     */
    static final int LANE_TILE_MIN_TOKENS = LaneTiles.OCTET;

    private final WorkerPool pool;
    /** Whether Q4_0 lane matrices multiply the input rounded to 8 bits ({@link Q4Activations#INT8}) or as it is. */
    private final boolean roundQ4Input;
    /** Which products lane matrices take where there is a choice ({@link LanePaths#forThisMachine}, or either for tests). */
    private final LanePaths lanePaths;
    /**
     * The index at which every {@code float[]} meets a cache line ({@link LineAlignment}), or 0: decoded rows, token
     * vectors and parked accumulators are placed from there, so that the tiles' vector loads do not straddle lines.
     */
    private final int aligned;
    /** A many-token call's input, copied to start at {@link #aligned} (when that is not 0). */
    private float[] alignedInput = new float[0];
    /** A many-token call's input interleaved for the lane tiles ({@link LaneTiles#interleave}), when a matrix has lanes. */
    private float[] laneInput = new float[0];
    /** The input rounded to 8 bits for a {@link Q4LaneMatrix}'s one-token and few-token products. */
    private final Int8Activations int8 = new Int8Activations();
    /** A many-token call's input as that rounding leaves it, for a {@link Q4LaneMatrix}'s register tiles. */
    private float[] rounded = new float[0];
    /** {@link #rounded}, interleaved as {@link #laneInput} is. */
    private float[] roundedLaneInput = new float[0];
    private final float[][] scratch;
    /**
     * Per participant: the unreduced accumulators of the current tile (or panel of tiles), {@code ACC_PER_TOKEN} floats
     * per token and tile.
     */
    private final float[][] acc;
    /** Per participant: the next pair of tiles being decoded during a decode step. */
    private final DecodeAhead[] ahead;
    // the current multiplication: matrices over one input, their items (rows, or tiles of rows) numbered one after the
    // other: matrix m owns items [first[m], first[m + 1]), multiplies token inputOf[m] of the input (one-token calls;
    // else 0) and writes from outFrom[m] of outs[m]
    private WeightMatrix[] ws = new WeightMatrix[3];
    private float[][] outs = new float[3][];
    private int[] first = new int[4];
    private int[] inputOf = new int[3];
    private int[] outFrom = new int[3];
    private int count;
    private float[] x;
    private int xOff;
    /** Floats per token vector of the current input (the matrices' width). */
    private int width;
    private int tokens;
    /** Whether the current call's batch goes through Q8_0 lane matrices (and Q4_0 ones in floats) in octets ({@link LanePaths#octets}). */
    private boolean octets;
    /** Whether the current call's batch goes through Q4_0 lane matrices in short lanes ({@link LanePaths#q4StepsInShorts}). */
    private boolean q4InShorts;
    private final WorkerPool.RangeTask singleToken = this::singleTokenRows;
    private final WorkerPool.RangeTask manyTokens = this::manyTokenTiles;

    public MatmulKernel(WorkerPool pool) {
        this(pool, Q4Activations.INT8);
    }

    /** With what Q4_0 lane matrices multiply ({@link Q4Activations}). */
    public MatmulKernel(WorkerPool pool, Q4Activations q4Activations) {
        this(pool, LineAlignment.firstAlignedFloat(), q4Activations, LanePaths.forThisMachine());
    }

    /** With arrays' first cache-line-aligned index given ({@code 0}: place nothing). */
    MatmulKernel(WorkerPool pool, int aligned) {
        this(pool, aligned, Q4Activations.INT8, LanePaths.forThisMachine());
    }

    /** With the lane matrices' paths chosen, whatever the vector width (for tests of each). */
    MatmulKernel(WorkerPool pool, int aligned, Q4Activations q4Activations, LanePaths lanePaths) {
        if (aligned < 0 || aligned >= LineAlignment.LINE_FLOATS) {
            throw new IllegalArgumentException("aligned index must be in [0, " + LineAlignment.LINE_FLOATS + "): " + aligned);
        }
        this.pool = pool;
        this.aligned = aligned;
        this.roundQ4Input = q4Activations == Q4Activations.INT8;
        this.lanePaths = lanePaths;
        this.scratch = new float[pool.size()][];
        this.acc = new float[pool.size()][0];
        this.ahead = new DecodeAhead[pool.size()];
        java.util.Arrays.setAll(ahead, i -> new DecodeAhead());
    }

    /**
     * Bytes of scratch one participant may hold for {@code tokens} tokens through matrices at most {@code widestRow}
     * columns wide (decoded rows and parked accumulators), for the memory budget.
     */
    public static long scratchBytes(int tokens, int widestRow) {
        return 4L * (decodedFloats(tokens, widestRow) + parkedFloats(tokens) + 2L * LineAlignment.LINE_FLOATS);
    }

    /**
     * Bytes the kernel itself holds for {@code tokens} tokens of at most {@code widestRow} floats: copies of the input
     * (aligned; interleaved for Q8_0 lane matrices, a last octet padded; rounded to 8 bits, and that interleaved, for
     * Q4_0 ones) and the short-lane products' 8-bit levels with their blocks' sums and scales (under 3 bytes a value, for
     * a decode step's batch: fewer than {@link LaneTiles#STEP_TOKENS_BELOW} tokens).
     */
    public static long inputCopyBytes(int tokens, int widestRow) {
        return 4L * (4L * tokens * widestRow + 2L * (LaneTiles.OCTET - 1) * widestRow + LineAlignment.LINE_FLOATS)
                + 3L * (LaneTiles.STEP_TOKENS_BELOW - 1) * widestRow;
    }

    /**
     * Floats of decoded rows a participant holds for {@code tokens} tokens through a matrix {@code cols} wide: a panel's
     * slice for prefill, two pairs of tiles' whole rows for decode steps.
     */
    private static int decodedFloats(int tokens, int cols) {
        return tokens >= PANEL_MIN_TOKENS ? PANEL_TILES * ROWS_PER_TILE * TILE_COLUMNS : 2 * DECODE_PANEL_TILES * ROWS_PER_TILE * cols;
    }

    /** Floats of parked accumulators a participant holds for {@code tokens} tokens. */
    private static int parkedFloats(int tokens) {
        return tilesPerPanel(tokens) * tokens * ACC_PER_TOKEN;
    }

    /** Tiles multiplied together per token slice: {@link #PANEL_TILES} for prefill-sized batches, else {@link #DECODE_PANEL_TILES}. */
    private static int tilesPerPanel(int tokens) {
        return tokens >= PANEL_MIN_TOKENS ? PANEL_TILES : DECODE_PANEL_TILES;
    }

    /** The vector shape every kernel runs with, such as "256-bit vectors (8 float lanes)". */
    public static String vectorShape() {
        return VectorShapes.describe();
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

    /**
     * One token each, in one parallel region: {@code out[m][outFrom[m] ..] = w[m] · x[input[m]]} for {@code m < n}, where
     * {@code x} holds token vectors of the matrices' one width back to back. A mixture of experts' experts that have one
     * token each in a step: their gates and ups over their tokens' inputs, then their downs over their own activations,
     * two regions where one call per expert would take two each.
     */
    public synchronized void multiplyEach(int n, WeightMatrix[] w, int[] input, float[] x, float[][] out, int[] outFrom) {
        if (n < 1 || n > w.length || n > input.length || n > out.length || n > outFrom.length) {
            throw new IllegalArgumentException(n + " matrices, with " + w.length + ", " + input.length + ", " + out.length + " and "
                    + outFrom.length + " given");
        }
        if (ws.length < n) {
            ws = new WeightMatrix[n];
            outs = new float[n][];
            first = new int[n + 1];
            inputOf = new int[n];
            this.outFrom = new int[n];
        }
        int inputs = 0;
        for (int m = 0; m < n; m++) {
            if (input[m] < 0 || outFrom[m] < 0) {
                throw new IllegalArgumentException("matrix " + m + " takes token " + input[m] + " and writes from " + outFrom[m]);
            }
            set(m, w[m], out[m]);
            inputOf[m] = input[m];
            this.outFrom[m] = outFrom[m];
            inputs = Math.max(inputs, input[m] + 1);
        }
        run(n, x, 1, inputs);
    }

    private void set(int m, WeightMatrix w, float[] out) {
        ws[m] = w;
        outs[m] = out;
        inputOf[m] = 0;
        outFrom[m] = 0;
    }

    private void run(int n, float[] x, int tokens) {
        run(n, x, tokens, tokens);
    }

    /** Multiplies {@code tokens} tokens; a one-token call's matrices take theirs from the {@code inputs} tokens of {@code x}. */
    private void run(int n, float[] x, int tokens, int inputs) {
        try {
            int cols = ws[0].cols();
            for (int m = 0; m < n; m++) {
                WeightMatrix w = ws[m];
                if (w.cols() != cols) {
                    throw new IllegalArgumentException("matrices multiplied together need one width: " + w.cols() + " != " + cols);
                }
                if ((long) (inputOf[m] + tokens) * w.cols() > x.length || outFrom[m] + (long) tokens * w.rows() > outs[m].length) {
                    throw new IllegalArgumentException("buffers too small for " + tokens + " tokens of a " + w.rows() + "x" + w.cols() + " matrix");
                }
            }
            this.count = n;
            this.x = x;
            this.xOff = 0;
            this.width = cols;
            this.tokens = tokens;
            boolean fused = true;
            this.q4InShorts = roundQ4Input && (tokens == 1 || lanePaths.q4StepsInShorts() && LaneTiles.decodeStep(tokens));
            first[0] = 0;
            boolean int8Input = false;
            boolean shortLevels = false;
            boolean roundedInput = false;
            boolean floatLanes = false;
            boolean rowTiles = false;
            for (int m = 0; m < n; m++) {
                boolean rounds = roundsInput(ws[m]);
                int8Input |= rounds;
                // the register tiles take rounded floats, decode steps in short lanes the levels themselves
                boolean levels = rounds && (ws[m] instanceof Q4LaneMatrix ? q4InShorts : kQuantInShorts());
                shortLevels |= levels;
                roundedInput |= rounds && !levels;
                floatLanes |= ws[m] instanceof LaneGroupMatrix && !rounds;
                rowTiles |= !(ws[m] instanceof LaneGroupMatrix);
                fused &= !(ws[m] instanceof LaneGroupMatrix) || ws[m] instanceof FusedLaneMatrix;
            }
            // octets are interleaved for the fused products alone: a call with K-quant lanes takes the tiles' widths
            this.octets = fused && lanePaths.octets() && LaneTiles.octets(tokens);
            if (tokens == 1) {
                for (int m = 0; m < n; m++) {
                    first[m + 1] = first[m] + (ws[m] instanceof LaneGroupMatrix ? ws[m].rows() / LaneGroupMatrix.GROUP : ws[m].rows());
                }
                if (int8Input) {
                    int8.quantizeEach(x, inputs, cols);
                }
                pool.run(first[n], grain(first[n]), singleToken);
            } else {
                for (int m = 0; m < n; m++) {
                    first[m + 1] = first[m] + (ws[m] instanceof LaneGroupMatrix ? lanePanels(ws[m])
                            : (ws[m].rows() + ROWS_PER_TILE - 1) / ROWS_PER_TILE);
                }
                int values = tokens * cols;
                int interleaved = LaneTiles.interleavedFloats(tokens, cols, octets);
                if (floatLanes) {
                    if (laneInput.length < interleaved) {
                        laneInput = new float[interleaved];
                    }
                    LaneTiles.interleave(x, tokens, cols, octets, laneInput);
                }
                if (shortLevels) {
                    int8.quantize(x, tokens, cols);
                }
                if (roundedInput) {
                    if (rounded.length < values) {
                        rounded = new float[values];
                    }
                    if (roundedLaneInput.length < interleaved) {
                        roundedLaneInput = new float[interleaved];
                    }
                    // two passes: C2 vectorises the rounding over a token's contiguous values, not in a strided store
                    Int8Activations.round(x, values, rounded);
                    LaneTiles.interleave(rounded, tokens, cols, octets, roundedLaneInput);
                }
                if (rowTiles && aligned > 0 && cols % LineAlignment.LINE_FLOATS == 0) {
                    // every token's vector then starts on a cache line, as the decoded rows do (lane matrices read
                    // their interleaved copies instead)
                    if (alignedInput.length < aligned + values) {
                        alignedInput = new float[aligned + values];
                    }
                    System.arraycopy(x, 0, alignedInput, aligned, values);
                    this.x = alignedInput;
                    this.xOff = aligned;
                }
                // the matrices share one width (checked above), so one size of decoded rows serves them all
                int decoded = aligned + Math.max(decodedFloats(tokens, cols), LaneTiles.GROUPS * LaneGroupMatrix.GROUP * LANE_SLICE);
                int parked = aligned + Math.max(parkedFloats(tokens), LaneTiles.GROUPS * tokens * L);
                for (int i = 0; i < scratch.length; i++) {
                    if (scratch[i] == null || scratch[i].length < decoded) {
                        scratch[i] = new float[decoded];
                    }
                    if (acc[i].length < parked) {
                        acc[i] = new float[parked];
                    }
                }
                pool.run(first[n], Math.max(tilesPerPanel(tokens), grain(first[n]) / 2), manyTokens);
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
            int t = inputOf[m];
            int xo = t * width;
            int oo = outFrom[m];
            int r = lo - first[m];
            int end = hi - first[m];
            if (w instanceof Q4LaneMatrix q4 && roundQ4Input) {
                for (int g = r; g < end; g++) {
                    q4.dotGroup(g, int8, t, o, oo + g * LaneGroupMatrix.GROUP);
                }
                continue;
            }
            if (w instanceof KQuantLaneMatrix k && roundQ4Input) {
                for (int g = r; g < end; g++) {
                    k.dotGroup(g, int8, t, 1, 0, o, oo + g * LaneGroupMatrix.GROUP);
                }
                continue;
            }
            if (w instanceof LaneGroupMatrix lanes) {
                for (int g = r; g < end; g++) {
                    lanes.dotGroup(g, in, xo, o, oo + g * LaneGroupMatrix.GROUP);
                }
                continue;
            }
            for (; r + 1 < end; r += 2) {
                w.dot2(r, in, xo, o, oo + r);
            }
            if (r < end) {
                o[oo + r] = w.dot(r, in, xo);
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

    /**
     * Tiles {@code [from, to)} of {@code m}: a lane matrix's panels of groups ({@link #laneGroups}); else prefill-sized
     * batches in panels of {@link #PANEL_TILES} tiles, a {@link #TILE_COLUMNS} slice decoded at a time, and a few tokens in
     * pairs of tiles, whole rows decoded ahead.
     */
    private void tiles(WeightMatrix m, float[] o, int from, int to, int worker) {
        if (m instanceof LaneGroupMatrix lanes) {
            laneGroups(lanes, o, from, to, worker);
        } else if (tokens >= PANEL_MIN_TOKENS) {
            for (int p = from; p < to; p += PANEL_TILES) {
                prefillPanel(m, o, p, Math.min(to, p + PANEL_TILES), worker);
            }
        } else {
            decodeStepPairs(m, o, from, to, worker);
        }
    }

    /**
     * The interleaved input {@code m}'s register tiles multiply: a Q4_0 or K-quant matrix the values rounded to 8 bits, as
     * its one- and few-token products do, unless it multiplies floats ({@link Q4Activations#FLOAT}).
     */
    private float[] laneInput(LaneGroupMatrix m) {
        return roundsInput(m) ? roundedLaneInput : laneInput;
    }

    /**
     * Whether {@code m} multiplies the input rounded to 8 bits per block of 32: Q4_0 and K-quant lanes, unless
     * configured otherwise.
     */
    private boolean roundsInput(WeightMatrix m) {
        return roundQ4Input && Q4Activations.appliesTo(m);
    }

    /** The many-token path's items for a lane matrix: panels of {@link LaneTiles#GROUPS} groups, the last maybe fewer. */
    private static int lanePanels(WeightMatrix m) {
        int groups = m.rows() / LaneGroupMatrix.GROUP;
        return (groups + LaneTiles.GROUPS - 1) / LaneTiles.GROUPS;
    }

    /**
     * Panels {@code [from, to)} of a lane matrix ({@link LaneTiles#GROUPS} groups each): a decode step's batch of five or
     * more in octets where the machine takes them ({@link #laneGroupOctets}), except through a Q4_0 matrix in short lanes;
     * those, and fewer than {@link #LANE_TILE_MIN_TOKENS} tokens otherwise, straight from the quants a few tokens at a time
     * ({@link #laneGroupsFused}); a K-quant matrix's decode step in short lanes where the vector width takes them
     * ({@link #kQuantStep}); else {@link #LANE_SLICE} columns of each group decoded, then multiplied with every tile of
     * tokens ({@link LaneTiles}). Each token's accumulator is one vector of a group's rows, stored to the output as it
     * is (no sums across lanes). A last panel of fewer groups takes them one by one.
     */
    private void laneGroups(LaneGroupMatrix m, float[] o, int from, int to, int worker) {
        if (m instanceof FusedLaneMatrix fused) {
            boolean inShorts = m instanceof Q4LaneMatrix && q4InShorts;
            if (octets && !inShorts) {
                laneGroupOctets(fused, o, from, to);
                return;
            }
            if (tokens < LANE_TILE_MIN_TOKENS || inShorts) {
                laneGroupsFused(fused, o, from, to);
                return;
            }
        } else if (m instanceof KQuantLaneMatrix k && roundQ4Input && kQuantInShorts()) {
            kQuantStep(k, o, from, to);
            return;
        }
        float[] s = scratch[worker];
        float[] park = acc[worker];
        float[] in = laneInput(m);
        int cols = m.cols();
        int rows = m.rows();
        int ps = tokens * L;
        int allGroups = rows / LaneGroupMatrix.GROUP;
        for (int p = from; p < to; p++) {
            int g0 = p * LaneTiles.GROUPS;
            int groups = Math.min(LaneTiles.GROUPS, allGroups - g0);
            for (int c0 = 0; c0 < cols; c0 += LANE_SLICE) {
                int n = Math.min(LANE_SLICE, cols - c0);
                int ws = n * L;
                for (int i = 0; i < groups; i++) {
                    m.decodeGroup(g0 + i, c0, n, s, aligned + i * ws);
                }
                for (int t0 = 0, w; t0 < tokens; t0 += w) {
                    w = LaneTiles.width(octets, tokens - t0);
                    int xo = t0 * cols + c0 * w;
                    if (groups == LaneTiles.GROUPS) {
                        LaneTiles.tile(groups, w, s, aligned, ws, n, in, xo, park, aligned + t0 * L, ps, c0 == 0);
                    } else {
                        for (int i = 0; i < groups; i++) {
                            LaneTiles.tile(1, w, s, aligned + i * ws, ws, n, in, xo, park, aligned + i * ps + t0 * L, ps, c0 == 0);
                        }
                    }
                }
            }
            for (int i = 0; i < groups; i++) {
                for (int t = 0; t < tokens; t++) {
                    FloatVector.fromArray(F, park, aligned + i * ps + t * L).intoArray(o, t * rows + (g0 + i) * LaneGroupMatrix.GROUP);
                }
            }
        }
    }

    /**
     * Panels {@code [from, to)} of a lane matrix for a few tokens (or a decode step's through Q4_0 in short lanes): each
     * group straight from its quants, four tokens at a time ({@code dotGroup4}), then the last three, two or one together
     * ({@code dotGroup3}, {@code dotGroup2}, {@code dotGroup}), without decoding into the scratch first: with so few
     * tokens the decoded copy cost more than it saved.
     */
    private void laneGroupsFused(FusedLaneMatrix m, float[] o, int from, int to) {
        int cols = m.cols();
        int rows = m.rows();
        int allGroups = rows / LaneGroupMatrix.GROUP;
        Q4LaneMatrix inShorts = m instanceof Q4LaneMatrix q4 && q4InShorts ? q4 : null;
        float[] in = laneInput(m);
        for (int g = from * LaneTiles.GROUPS; g < Math.min(allGroups, to * LaneTiles.GROUPS); g++) {
            int at = g * LaneGroupMatrix.GROUP;
            for (int t0 = 0, w; t0 < tokens; t0 += w) {
                w = LaneTiles.width(false, tokens - t0);
                if (inShorts != null) {
                    fewTokensInShorts(inShorts, g, t0, w, o, t0 * rows + at, rows);
                } else {
                    fewTokens(m, in, g, t0 * cols, w, o, t0 * rows + at, rows);
                }
            }
        }
    }

    /**
     * Panels {@code [from, to)} of a lane matrix for a decode step's batch ({@link LaneTiles#octets}): the panel's groups
     * in pairs (the last alone, as a pair with itself), eight tokens at a time straight from the quants
     * ({@link FusedLaneMatrix#dotPair8}; five to seven left as a padded octet), then the last one to four tokens in floats
     * as a few-token batch's are ({@link #fewTokens}). Decoding each column once per pair and eight tokens in registers costs less than storing a
     * decoded copy and loading it again for every four tokens (docs/inference-engine.md, Profile, session 14).
     */
    private void laneGroupOctets(FusedLaneMatrix m, float[] o, int from, int to) {
        int cols = m.cols();
        int rows = m.rows();
        int allGroups = rows / LaneGroupMatrix.GROUP;
        float[] in = laneInput(m);
        for (int g = from * LaneTiles.GROUPS; g < Math.min(allGroups, to * LaneTiles.GROUPS); g += 2) {
            int h = Math.min(g + 1, allGroups - 1);
            for (int t0 = 0, w; t0 < tokens; t0 += w) {
                w = LaneTiles.width(octets, tokens - t0);
                int at = t0 * rows;
                if (w == LaneTiles.OCTET) {
                    m.dotPair8(g, h, in, t0 * cols, o, at + g * LaneGroupMatrix.GROUP, at + h * LaneGroupMatrix.GROUP, rows,
                            Math.min(w, tokens - t0));
                } else {
                    fewTokens(m, in, g, t0 * cols, w, o, at + g * LaneGroupMatrix.GROUP, rows);
                    if (h != g) {
                        fewTokens(m, in, h, t0 * cols, w, o, at + h * LaneGroupMatrix.GROUP, rows);
                    }
                }
            }
        }
    }

    /**
     * Whether this call's K-quant lane matrices take a decode step in short lanes: where Q4_0's do, below
     * {@link #LANE_TILE_MIN_TOKENS} tokens; from there on the register tiles were faster (docs/inference-engine.md,
     * Profile, session 15).
     */
    private boolean kQuantInShorts() {
        return q4InShorts && tokens < LANE_TILE_MIN_TOKENS;
    }

    /**
     * Panels {@code [from, to)} of a K-quant lane matrix for a decode step's batch in short lanes
     * ({@link #kQuantInShorts}): each group straight from its quants against the 8-bit levels, Q4_K's four tokens at a
     * time ({@code dotGroup4}), Q5_K's and Q6_K's two at a time ({@code dotGroup2}), then the rest by two and one.
     */
    private void kQuantStep(KQuantLaneMatrix m, float[] o, int from, int to) {
        int rows = m.rows();
        int allGroups = rows / LaneGroupMatrix.GROUP;
        for (int g = from * LaneTiles.GROUPS; g < Math.min(allGroups, to * LaneTiles.GROUPS); g++) {
            int at = g * LaneGroupMatrix.GROUP;
            for (int t0 = 0, w; t0 < tokens; t0 += w) {
                w = LaneTiles.width(false, tokens - t0);
                if (w == LaneTiles.TOKENS && m instanceof Q4KLaneMatrix q) {
                    q.dotGroup4(g, int8, t0, o, t0 * rows + at, rows);
                    continue;
                }
                int t = 0;
                for (; t + 1 < w; t += 2) {
                    m.dotGroup2(g, int8, t0, w, t, o, (t0 + t) * rows + at, rows);
                }
                if (t < w) {
                    m.dotGroup(g, int8, t0, w, t, o, (t0 + t) * rows + at);
                }
            }
        }
    }

    /** The tile of {@code w} tokens (interleaved from {@code in[xo]}) through group {@code g}, in floats. */
    private static void fewTokens(FusedLaneMatrix m, float[] in, int g, int xo, int w, float[] o, int at, int stride) {
        switch (w) {
            case LaneTiles.TOKENS -> m.dotGroup4(g, in, xo, o, at, stride);
            case 3 -> m.dotGroup3(g, in, xo, o, at, stride);
            case 2 -> m.dotGroup2(g, in, xo, o, at, stride);
            default -> m.dotGroup(g, in, xo, o, at);
        }
    }

    /**
     * The tile of {@code w} tokens from {@code t0} through Q4_0 group {@code g}, in short lanes against their 8-bit levels
     * ({@link LanePaths#q4StepsInShorts}); otherwise {@link #fewTokens} takes a Q4_0 matrix in floats, against the values
     * rounded ({@link #roundedLaneInput}) or as they are ({@link Q4Activations#FLOAT}).
     */
    private void fewTokensInShorts(Q4LaneMatrix m, int g, int t0, int w, float[] o, int at, int stride) {
        switch (w) {
            case LaneTiles.TOKENS -> m.dotGroup4(g, int8, t0, o, at, stride);
            case 3 -> m.dotGroup3(g, int8, t0, o, at, stride);
            case 2 -> m.dotGroup2(g, int8, t0, o, at, stride);
            default -> m.dotGroup(g, int8, t0, o, at);
        }
    }

    /**
     * Tiles {@code [from, to)} as one panel: {@link #TILE_COLUMNS} columns of all their rows are decoded at a time, then
     * multiplied ({@link #multiplySlice}).
     */
    private void prefillPanel(WeightMatrix m, float[] o, int from, int to, int worker) {
        float[] s = scratch[worker];
        int cols = m.cols();
        int r0 = from * ROWS_PER_TILE;
        int panelRows = Math.min(m.rows(), to * ROWS_PER_TILE) - r0;
        int tilesHere = to - from;
        for (int c0 = 0; c0 < cols; c0 += TILE_COLUMNS) {
            int cn = Math.min(TILE_COLUMNS, cols - c0);
            for (int i = 0; i < panelRows; i++) {
                m.dequantize(r0 + i, c0, cn, s, aligned + i * cn);
            }
            java.util.Arrays.fill(s, aligned + panelRows * cn, aligned + tilesHere * ROWS_PER_TILE * cn, 0f);
            multiplySlice(s, aligned, cn, cn, tilesHere, c0, c0 == 0, worker, null);
        }
        writeOut(m, o, from, to, worker);
    }

    /**
     * Tiles {@code [from, to)} in pairs ({@link #DECODE_PANEL_TILES}), whole rows at a time: the first pair is decoded,
     * then each pair is multiplied from one half of the scratch while the next is decoded into the other.
     */
    private void decodeStepPairs(WeightMatrix m, float[] o, int from, int to, int worker) {
        float[] s = scratch[worker];
        DecodeAhead next = ahead[worker];
        int cols = m.cols();
        int half = DECODE_PANEL_TILES * ROWS_PER_TILE * cols;
        int slices = (cols + TILE_COLUMNS - 1) / TILE_COLUMNS;
        int callsPerTileAndSlice = tokens / TOKENS_PER_TILE + tokens % TOKENS_PER_TILE;
        next.start(m, from, to, s, aligned, 1);
        next.finish();
        for (int p = from, k = 0; p < to; p += DECODE_PANEL_TILES, k++) {
            int end = Math.min(to, p + DECODE_PANEL_TILES);
            int current = aligned + (k & 1) * half;
            next.start(m, end, to, s, aligned + (~k & 1) * half, slices * callsPerTileAndSlice * (end - p));
            for (int s0 = 0; s0 < cols; s0 += TILE_COLUMNS) {
                multiplySlice(s, current + s0, cols, Math.min(TILE_COLUMNS, cols - s0), end - p, s0, s0 == 0, worker, next);
            }
            next.finish();
            writeOut(m, o, p, end, worker);
        }
    }

    /**
     * One slice of a panel's decoded rows ({@code n} columns from {@code s[so]}, rows {@code stride} apart) against the
     * tokens' slices from column {@code col}: each group of four tokens with every tile of the panel in turn, so that the
     * group's slices stay in L1. Accumulators: tile {@code p} of the panel, token {@code t} at
     * {@code acc[aligned + (p * tokens + t) * ACC_PER_TOKEN]}, zeroed on the {@code first} slice. {@code decodeAhead}, if
     * any, takes a step before each tile call.
     */
    private void multiplySlice(float[] s, int so, int stride, int n, int tilesHere, int col, boolean first, int worker, DecodeAhead decodeAhead) {
        float[] in = x;
        float[] a = acc[worker];
        int cols = width;
        int t = 0;
        for (; t + TOKENS_PER_TILE <= tokens; t += TOKENS_PER_TILE) {
            for (int p = 0; p < tilesHere; p++) {
                if (decodeAhead != null) {
                    decodeAhead.step();
                }
                tile4x4(s, so + p * ROWS_PER_TILE * stride, stride, n, in, xOff + t * cols + col, cols, a, aligned + (p * tokens + t) * ACC_PER_TOKEN, first);
            }
        }
        for (; t < tokens; t++) {
            for (int p = 0; p < tilesHere; p++) {
                if (decodeAhead != null) {
                    decodeAhead.step();
                }
                tile4x1(s, so + p * ROWS_PER_TILE * stride, stride, n, in, xOff + t * cols + col, a, aligned + (p * tokens + t) * ACC_PER_TOKEN, first);
            }
        }
    }

    /** The lane sums of tiles {@code [from, to)}'s accumulators into {@code o}. */
    private void writeOut(WeightMatrix m, float[] o, int from, int to, int worker) {
        float[] a = acc[worker];
        int rows = m.rows();
        int r0 = from * ROWS_PER_TILE;
        for (int p = 0; p < to - from; p++) {
            int n = Math.min(ROWS_PER_TILE, rows - r0 - p * ROWS_PER_TILE);
            for (int t = 0; t < tokens; t++) {
                for (int k = 0; k < n; k++) {
                    o[t * rows + r0 + p * ROWS_PER_TILE + k] = VectorShapes.sum(FloatVector.fromArray(F, a, aligned + (p * tokens + t) * ACC_PER_TOKEN + k * L));
                }
            }
        }
    }

    /**
     * The rows of the pair of tiles that comes next, decoded a piece ({@link #TILE_COLUMNS} columns of one row) at a time,
     * spread evenly over the tile calls that multiply the current pair; row by row, so that memory is read in order. Rows
     * past the matrix's last are zeros. One per participant, reused.
     */
    private static final class DecodeAhead {
        private WeightMatrix m;
        private float[] dst;
        private int dstOff;
        private int firstRow;
        private int realRows;
        private int slices;
        private int pieces;
        private int calls;
        private int call;
        private int done;

        /** Tiles {@code [tile, min(to, tile + DECODE_PANEL_TILES))} (none when {@code tile >= to}) over {@code calls} steps. */
        void start(WeightMatrix m, int tile, int to, float[] dst, int dstOff, int calls) {
            int end = Math.min(to, tile + DECODE_PANEL_TILES);
            this.m = m;
            this.dst = dst;
            this.dstOff = dstOff;
            this.firstRow = tile * ROWS_PER_TILE;
            this.realRows = Math.max(0, Math.min(m.rows(), end * ROWS_PER_TILE) - firstRow);
            this.slices = (m.cols() + TILE_COLUMNS - 1) / TILE_COLUMNS;
            this.pieces = Math.max(0, end - tile) * ROWS_PER_TILE * slices;
            this.calls = calls;
            this.call = 0;
            this.done = 0;
        }

        /** Decodes the pieces due by this call. */
        void step() {
            int due = (int) ((long) pieces * ++call / calls);
            if (due > done) {
                decode(done, due);
                done = due;
            }
        }

        /** Decodes whatever is left. */
        void finish() {
            decode(done, pieces);
            done = pieces;
            m = null;
            dst = null;
        }

        private void decode(int from, int to) {
            int cols = m.cols();
            for (int i = from; i < to; ) {
                int row = i / slices;
                int slice = i % slices;
                int run = Math.min(to - i, slices - slice);
                int c0 = slice * TILE_COLUMNS;
                int cn = Math.min(cols, (slice + run) * TILE_COLUMNS) - c0;
                int at = dstOff + row * cols + c0;
                if (row < realRows) {
                    m.dequantize(firstRow + row, c0, cn, dst, at);
                } else {
                    java.util.Arrays.fill(dst, at, at + cn, 0f);
                }
                i += run;
            }
        }
    }

    /**
     * Four decoded rows ({@code n} columns of {@code w} from {@code wo}, {@code wStride} apart) against four token
     * slices ({@code x} from {@code xo}, {@code xStride} apart): sixteen accumulators, so each loaded vector feeds four
     * multiply-adds. The accumulators start at zero ({@code first}) or from {@code acc}, and go back there: token
     * {@code t}'s vector for row {@code k} at {@code acc[ao + t * ACC_PER_TOKEN + k * L]}. Columns past the last whole
     * vector go to lane 0.
     */
    static void tile4x4(float[] w, int wo, int wStride, int n, float[] x, int xo, int xStride, float[] acc, int ao, boolean first) {
        FloatVector a00 = load(acc, ao, first), a10 = load(acc, ao + L, first), a20 = load(acc, ao + 2 * L, first),
                a30 = load(acc, ao + 3 * L, first);
        int ao1 = ao + ACC_PER_TOKEN, ao2 = ao + 2 * ACC_PER_TOKEN, ao3 = ao + 3 * ACC_PER_TOKEN;
        FloatVector a01 = load(acc, ao1, first), a11 = load(acc, ao1 + L, first), a21 = load(acc, ao1 + 2 * L, first),
                a31 = load(acc, ao1 + 3 * L, first);
        FloatVector a02 = load(acc, ao2, first), a12 = load(acc, ao2 + L, first), a22 = load(acc, ao2 + 2 * L, first),
                a32 = load(acc, ao2 + 3 * L, first);
        FloatVector a03 = load(acc, ao3, first), a13 = load(acc, ao3 + L, first), a23 = load(acc, ao3 + 2 * L, first),
                a33 = load(acc, ao3 + 3 * L, first);
        int x0 = xo, x1 = xo + xStride, x2 = xo + 2 * xStride, x3 = xo + 3 * xStride;
        int w0o = wo, w1o = wo + wStride, w2o = wo + 2 * wStride, w3o = wo + 3 * wStride;
        int i = 0;
        for (int upper = F.loopBound(n); i < upper; i += L) {
            FloatVector w0 = FloatVector.fromArray(F, w, w0o + i);
            FloatVector w1 = FloatVector.fromArray(F, w, w1o + i);
            FloatVector w2 = FloatVector.fromArray(F, w, w2o + i);
            FloatVector w3 = FloatVector.fromArray(F, w, w3o + i);
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
        a00.intoArray(acc, ao);
        a10.intoArray(acc, ao + L);
        a20.intoArray(acc, ao + 2 * L);
        a30.intoArray(acc, ao + 3 * L);
        a01.intoArray(acc, ao1);
        a11.intoArray(acc, ao1 + L);
        a21.intoArray(acc, ao1 + 2 * L);
        a31.intoArray(acc, ao1 + 3 * L);
        a02.intoArray(acc, ao2);
        a12.intoArray(acc, ao2 + L);
        a22.intoArray(acc, ao2 + 2 * L);
        a32.intoArray(acc, ao2 + 3 * L);
        a03.intoArray(acc, ao3);
        a13.intoArray(acc, ao3 + L);
        a23.intoArray(acc, ao3 + 2 * L);
        a33.intoArray(acc, ao3 + 3 * L);
        for (; i < n; i++) {
            for (int t = 0; t < TOKENS_PER_TILE; t++) {
                float xv = x[xo + t * xStride + i];
                for (int k = 0; k < ROWS_PER_TILE; k++) {
                    acc[ao + t * ACC_PER_TOKEN + k * L] += w[wo + k * wStride + i] * xv;
                }
            }
        }
    }

    /** {@link #tile4x4} for a single token. */
    static void tile4x1(float[] w, int wo, int wStride, int n, float[] x, int xo, float[] acc, int ao, boolean first) {
        FloatVector a0 = load(acc, ao, first), a1 = load(acc, ao + L, first), a2 = load(acc, ao + 2 * L, first),
                a3 = load(acc, ao + 3 * L, first);
        int w0o = wo, w1o = wo + wStride, w2o = wo + 2 * wStride, w3o = wo + 3 * wStride;
        int i = 0;
        for (int upper = F.loopBound(n); i < upper; i += L) {
            FloatVector xv = FloatVector.fromArray(F, x, xo + i);
            a0 = FloatVector.fromArray(F, w, w0o + i).fma(xv, a0);
            a1 = FloatVector.fromArray(F, w, w1o + i).fma(xv, a1);
            a2 = FloatVector.fromArray(F, w, w2o + i).fma(xv, a2);
            a3 = FloatVector.fromArray(F, w, w3o + i).fma(xv, a3);
        }
        a0.intoArray(acc, ao);
        a1.intoArray(acc, ao + L);
        a2.intoArray(acc, ao + 2 * L);
        a3.intoArray(acc, ao + 3 * L);
        for (; i < n; i++) {
            float xv = x[xo + i];
            for (int k = 0; k < ROWS_PER_TILE; k++) {
                acc[ao + k * L] += w[wo + k * wStride + i] * xv;
            }
        }
    }

    private static FloatVector load(float[] acc, int at, boolean zero) {
        return zero ? FloatVector.zero(F) : FloatVector.fromArray(F, acc, at);
    }
}
