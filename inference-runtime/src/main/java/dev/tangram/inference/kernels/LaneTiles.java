package dev.tangram.inference.kernels;

import static dev.tangram.inference.kernels.VectorShapes.F;
import static dev.tangram.inference.kernels.VectorShapes.L;

import jdk.incubator.vector.FloatVector;

/**
 * The many-token products of {@link LaneGroupMatrix}es: decoded columns of up to {@link #GROUPS} groups (group {@code g}'s
 * {@code n} columns from {@code w[wo + g * ws]}, one vector of {@code L} rows per column) against a few tokens at once,
 * each token value broadcast to every lane; one accumulator vector (a group's rows) per group and token. Four groups
 * by four tokens: each column's four vectors are loaded once for four tokens and each broadcast serves four groups
 * (sixteen multiply-adds for four loads and four broadcasts), the register tile of a matrix product with rows in lanes.
 * The tokens' values are interleaved for the tile ({@link #interleave}): value {@code k} of token {@code t} of a tile at
 * {@code x[xo + k * width + t]}. Accumulators start at zero ({@code first}) or from the park, group {@code g} and token
 * {@code t} at {@code park[po + g * ps + t * L]}, and go back there.
 *
 * <p>Each shape is written out, one named accumulator per group and token, because only then does the JIT keep them in
 * registers: sixteen accumulators, four columns and a broadcast fit in AVX-512's 32 vector registers; on AVX2's 16 the
 * JIT spills some, which costs speed, not correctness.
 */
final class LaneTiles {
    /** Groups decoded and multiplied together. */
    static final int GROUPS = 4;
    /** Tokens multiplied together. */
    static final int TOKENS = 4;

    private LaneTiles() {}

    /** Tokens of an octet: eight tokens that go through a pair of groups together ({@link FusedLaneMatrix#dotPair8}). */
    static final int OCTET = 8;
    /**
     * The fewest tokens that go in an octet, padded with zeros: five to seven in one pass of an octet's arithmetic cost
     * less than four and then one to three in a second pass, each of which converts every weight again (Profile, session
     * 14); one to four left take the few-token products.
     */
    static final int OCTET_MIN = 5;
    /**
     * Batches of fewer tokens than this are a decode step's, which lane matrices may take straight from their quants
     * ({@link LanePaths}): Q4_0 in short lanes four tokens at a time, Q8_0 in octets. Larger ones (prefill) go through the
     * register tiles here, over decoded copies that serve every token. At 32 tokens the octets ran no faster than the
     * tiles (Q4_0 in floats).
     */
    static final int STEP_TOKENS_BELOW = 32;

    /** Whether a batch of {@code tokens} is a decode step's ({@link #STEP_TOKENS_BELOW}). */
    static boolean decodeStep(int tokens) {
        return tokens < STEP_TOKENS_BELOW;
    }

    /** Whether a batch of {@code tokens} may go in octets: a decode step's of at least {@link #OCTET_MIN} tokens. */
    static boolean octets(int tokens) {
        return tokens >= OCTET_MIN && decodeStep(tokens);
    }

    /** Floats a batch's interleaved copy takes: a last octet padded to eight tokens. */
    static int interleavedFloats(int tokens, int cols, boolean octets) {
        return (octets ? tokens + OCTET - 1 : tokens) * cols;
    }

    /**
     * The width of the tile that takes the next {@code left} tokens of a batch: {@link #OCTET} while at least
     * {@link #OCTET_MIN} are left of a batch that goes in {@code octets} (the last octet maybe padded: it holds
     * {@code min(OCTET, left)} tokens), else {@link #TOKENS} while that many are left, then the last one to three together.
     */
    static int width(boolean octets, int left) {
        return octets && left >= OCTET_MIN ? OCTET : Math.min(TOKENS, left);
    }

    /**
     * {@code tokens} token vectors of {@code cols} values from {@code src} (back to back), written to {@code dst} tile by
     * tile ({@link #width}): the tile of tokens {@code [t0, t0 + w)} from {@code dst[t0 * cols]}, value {@code k} of its
     * token {@code t} at {@code dst[t0 * cols + k * w + t]}; a last octet's missing tokens as zeros ({@code dst} holds
     * {@link #interleavedFloats}).
     */
    static void interleave(float[] src, int tokens, int cols, boolean octets, float[] dst) {
        for (int t0 = 0, w; t0 < tokens; t0 += w) {
            w = width(octets, tokens - t0);
            int base = t0 * cols;
            for (int t = 0; t < w; t++) {
                if (t0 + t >= tokens) {
                    for (int k = 0; k < cols; k++) {
                        dst[base + k * w + t] = 0f;
                    }
                    continue;
                }
                int from = (t0 + t) * cols;
                for (int k = 0; k < cols; k++) {
                    dst[base + k * w + t] = src[from + k];
                }
            }
        }
    }

    /** The tile of {@code groups} groups ({@link #GROUPS} or one) by {@code width} tokens (one to {@link #TOKENS}). */
    static void tile(int groups, int width, float[] w, int wo, int ws, int n, float[] x, int xo, float[] park, int po, int ps,
            boolean first) {
        switch (groups * 8 + width) {
            case GROUPS * 8 + 4 -> tile4x4(w, wo, ws, n, x, xo, park, po, ps, first);
            case GROUPS * 8 + 3 -> tile4x3(w, wo, ws, n, x, xo, park, po, ps, first);
            case GROUPS * 8 + 2 -> tile4x2(w, wo, ws, n, x, xo, park, po, ps, first);
            case GROUPS * 8 + 1 -> tile4x1(w, wo, ws, n, x, xo, park, po, ps, first);
            case 8 + 4 -> tile1x4(w, wo, ws, n, x, xo, park, po, ps, first);
            case 8 + 3 -> tile1x3(w, wo, ws, n, x, xo, park, po, ps, first);
            case 8 + 2 -> tile1x2(w, wo, ws, n, x, xo, park, po, ps, first);
            case 8 + 1 -> tile1x1(w, wo, ws, n, x, xo, park, po, ps, first);
            default -> throw new IllegalArgumentException("no tile of " + groups + " groups by " + width + " tokens");
        }
    }

    /** 4 groups × 4 tokens: 16 accumulators. */
    static void tile4x4(float[] w, int wo, int ws, int n, float[] x, int xo, float[] park, int po, int ps, boolean first) {
        FloatVector a00 = first ? FloatVector.zero(F) : FloatVector.fromArray(F, park, po + 0 * ps + 0 * L);
        FloatVector a01 = first ? FloatVector.zero(F) : FloatVector.fromArray(F, park, po + 0 * ps + 1 * L);
        FloatVector a02 = first ? FloatVector.zero(F) : FloatVector.fromArray(F, park, po + 0 * ps + 2 * L);
        FloatVector a03 = first ? FloatVector.zero(F) : FloatVector.fromArray(F, park, po + 0 * ps + 3 * L);
        FloatVector a10 = first ? FloatVector.zero(F) : FloatVector.fromArray(F, park, po + 1 * ps + 0 * L);
        FloatVector a11 = first ? FloatVector.zero(F) : FloatVector.fromArray(F, park, po + 1 * ps + 1 * L);
        FloatVector a12 = first ? FloatVector.zero(F) : FloatVector.fromArray(F, park, po + 1 * ps + 2 * L);
        FloatVector a13 = first ? FloatVector.zero(F) : FloatVector.fromArray(F, park, po + 1 * ps + 3 * L);
        FloatVector a20 = first ? FloatVector.zero(F) : FloatVector.fromArray(F, park, po + 2 * ps + 0 * L);
        FloatVector a21 = first ? FloatVector.zero(F) : FloatVector.fromArray(F, park, po + 2 * ps + 1 * L);
        FloatVector a22 = first ? FloatVector.zero(F) : FloatVector.fromArray(F, park, po + 2 * ps + 2 * L);
        FloatVector a23 = first ? FloatVector.zero(F) : FloatVector.fromArray(F, park, po + 2 * ps + 3 * L);
        FloatVector a30 = first ? FloatVector.zero(F) : FloatVector.fromArray(F, park, po + 3 * ps + 0 * L);
        FloatVector a31 = first ? FloatVector.zero(F) : FloatVector.fromArray(F, park, po + 3 * ps + 1 * L);
        FloatVector a32 = first ? FloatVector.zero(F) : FloatVector.fromArray(F, park, po + 3 * ps + 2 * L);
        FloatVector a33 = first ? FloatVector.zero(F) : FloatVector.fromArray(F, park, po + 3 * ps + 3 * L);
        for (int k = 0; k < n; k++) {
            int xi = xo + k * 4;
            FloatVector w0 = FloatVector.fromArray(F, w, wo + 0 * ws + k * L);
            FloatVector w1 = FloatVector.fromArray(F, w, wo + 1 * ws + k * L);
            FloatVector w2 = FloatVector.fromArray(F, w, wo + 2 * ws + k * L);
            FloatVector w3 = FloatVector.fromArray(F, w, wo + 3 * ws + k * L);
            FloatVector x0 = FloatVector.broadcast(F, x[xi + 0]);
            a00 = w0.fma(x0, a00);
            a10 = w1.fma(x0, a10);
            a20 = w2.fma(x0, a20);
            a30 = w3.fma(x0, a30);
            FloatVector x1 = FloatVector.broadcast(F, x[xi + 1]);
            a01 = w0.fma(x1, a01);
            a11 = w1.fma(x1, a11);
            a21 = w2.fma(x1, a21);
            a31 = w3.fma(x1, a31);
            FloatVector x2 = FloatVector.broadcast(F, x[xi + 2]);
            a02 = w0.fma(x2, a02);
            a12 = w1.fma(x2, a12);
            a22 = w2.fma(x2, a22);
            a32 = w3.fma(x2, a32);
            FloatVector x3 = FloatVector.broadcast(F, x[xi + 3]);
            a03 = w0.fma(x3, a03);
            a13 = w1.fma(x3, a13);
            a23 = w2.fma(x3, a23);
            a33 = w3.fma(x3, a33);
        }
        a00.intoArray(park, po + 0 * ps + 0 * L);
        a01.intoArray(park, po + 0 * ps + 1 * L);
        a02.intoArray(park, po + 0 * ps + 2 * L);
        a03.intoArray(park, po + 0 * ps + 3 * L);
        a10.intoArray(park, po + 1 * ps + 0 * L);
        a11.intoArray(park, po + 1 * ps + 1 * L);
        a12.intoArray(park, po + 1 * ps + 2 * L);
        a13.intoArray(park, po + 1 * ps + 3 * L);
        a20.intoArray(park, po + 2 * ps + 0 * L);
        a21.intoArray(park, po + 2 * ps + 1 * L);
        a22.intoArray(park, po + 2 * ps + 2 * L);
        a23.intoArray(park, po + 2 * ps + 3 * L);
        a30.intoArray(park, po + 3 * ps + 0 * L);
        a31.intoArray(park, po + 3 * ps + 1 * L);
        a32.intoArray(park, po + 3 * ps + 2 * L);
        a33.intoArray(park, po + 3 * ps + 3 * L);
    }

    /** 4 groups × 3 tokens: 12 accumulators. */
    static void tile4x3(float[] w, int wo, int ws, int n, float[] x, int xo, float[] park, int po, int ps, boolean first) {
        FloatVector a00 = first ? FloatVector.zero(F) : FloatVector.fromArray(F, park, po + 0 * ps + 0 * L);
        FloatVector a01 = first ? FloatVector.zero(F) : FloatVector.fromArray(F, park, po + 0 * ps + 1 * L);
        FloatVector a02 = first ? FloatVector.zero(F) : FloatVector.fromArray(F, park, po + 0 * ps + 2 * L);
        FloatVector a10 = first ? FloatVector.zero(F) : FloatVector.fromArray(F, park, po + 1 * ps + 0 * L);
        FloatVector a11 = first ? FloatVector.zero(F) : FloatVector.fromArray(F, park, po + 1 * ps + 1 * L);
        FloatVector a12 = first ? FloatVector.zero(F) : FloatVector.fromArray(F, park, po + 1 * ps + 2 * L);
        FloatVector a20 = first ? FloatVector.zero(F) : FloatVector.fromArray(F, park, po + 2 * ps + 0 * L);
        FloatVector a21 = first ? FloatVector.zero(F) : FloatVector.fromArray(F, park, po + 2 * ps + 1 * L);
        FloatVector a22 = first ? FloatVector.zero(F) : FloatVector.fromArray(F, park, po + 2 * ps + 2 * L);
        FloatVector a30 = first ? FloatVector.zero(F) : FloatVector.fromArray(F, park, po + 3 * ps + 0 * L);
        FloatVector a31 = first ? FloatVector.zero(F) : FloatVector.fromArray(F, park, po + 3 * ps + 1 * L);
        FloatVector a32 = first ? FloatVector.zero(F) : FloatVector.fromArray(F, park, po + 3 * ps + 2 * L);
        for (int k = 0; k < n; k++) {
            int xi = xo + k * 3;
            FloatVector w0 = FloatVector.fromArray(F, w, wo + 0 * ws + k * L);
            FloatVector w1 = FloatVector.fromArray(F, w, wo + 1 * ws + k * L);
            FloatVector w2 = FloatVector.fromArray(F, w, wo + 2 * ws + k * L);
            FloatVector w3 = FloatVector.fromArray(F, w, wo + 3 * ws + k * L);
            FloatVector x0 = FloatVector.broadcast(F, x[xi + 0]);
            a00 = w0.fma(x0, a00);
            a10 = w1.fma(x0, a10);
            a20 = w2.fma(x0, a20);
            a30 = w3.fma(x0, a30);
            FloatVector x1 = FloatVector.broadcast(F, x[xi + 1]);
            a01 = w0.fma(x1, a01);
            a11 = w1.fma(x1, a11);
            a21 = w2.fma(x1, a21);
            a31 = w3.fma(x1, a31);
            FloatVector x2 = FloatVector.broadcast(F, x[xi + 2]);
            a02 = w0.fma(x2, a02);
            a12 = w1.fma(x2, a12);
            a22 = w2.fma(x2, a22);
            a32 = w3.fma(x2, a32);
        }
        a00.intoArray(park, po + 0 * ps + 0 * L);
        a01.intoArray(park, po + 0 * ps + 1 * L);
        a02.intoArray(park, po + 0 * ps + 2 * L);
        a10.intoArray(park, po + 1 * ps + 0 * L);
        a11.intoArray(park, po + 1 * ps + 1 * L);
        a12.intoArray(park, po + 1 * ps + 2 * L);
        a20.intoArray(park, po + 2 * ps + 0 * L);
        a21.intoArray(park, po + 2 * ps + 1 * L);
        a22.intoArray(park, po + 2 * ps + 2 * L);
        a30.intoArray(park, po + 3 * ps + 0 * L);
        a31.intoArray(park, po + 3 * ps + 1 * L);
        a32.intoArray(park, po + 3 * ps + 2 * L);
    }

    /** 4 groups × 2 tokens: 8 accumulators. */
    static void tile4x2(float[] w, int wo, int ws, int n, float[] x, int xo, float[] park, int po, int ps, boolean first) {
        FloatVector a00 = first ? FloatVector.zero(F) : FloatVector.fromArray(F, park, po + 0 * ps + 0 * L);
        FloatVector a01 = first ? FloatVector.zero(F) : FloatVector.fromArray(F, park, po + 0 * ps + 1 * L);
        FloatVector a10 = first ? FloatVector.zero(F) : FloatVector.fromArray(F, park, po + 1 * ps + 0 * L);
        FloatVector a11 = first ? FloatVector.zero(F) : FloatVector.fromArray(F, park, po + 1 * ps + 1 * L);
        FloatVector a20 = first ? FloatVector.zero(F) : FloatVector.fromArray(F, park, po + 2 * ps + 0 * L);
        FloatVector a21 = first ? FloatVector.zero(F) : FloatVector.fromArray(F, park, po + 2 * ps + 1 * L);
        FloatVector a30 = first ? FloatVector.zero(F) : FloatVector.fromArray(F, park, po + 3 * ps + 0 * L);
        FloatVector a31 = first ? FloatVector.zero(F) : FloatVector.fromArray(F, park, po + 3 * ps + 1 * L);
        for (int k = 0; k < n; k++) {
            int xi = xo + k * 2;
            FloatVector w0 = FloatVector.fromArray(F, w, wo + 0 * ws + k * L);
            FloatVector w1 = FloatVector.fromArray(F, w, wo + 1 * ws + k * L);
            FloatVector w2 = FloatVector.fromArray(F, w, wo + 2 * ws + k * L);
            FloatVector w3 = FloatVector.fromArray(F, w, wo + 3 * ws + k * L);
            FloatVector x0 = FloatVector.broadcast(F, x[xi + 0]);
            a00 = w0.fma(x0, a00);
            a10 = w1.fma(x0, a10);
            a20 = w2.fma(x0, a20);
            a30 = w3.fma(x0, a30);
            FloatVector x1 = FloatVector.broadcast(F, x[xi + 1]);
            a01 = w0.fma(x1, a01);
            a11 = w1.fma(x1, a11);
            a21 = w2.fma(x1, a21);
            a31 = w3.fma(x1, a31);
        }
        a00.intoArray(park, po + 0 * ps + 0 * L);
        a01.intoArray(park, po + 0 * ps + 1 * L);
        a10.intoArray(park, po + 1 * ps + 0 * L);
        a11.intoArray(park, po + 1 * ps + 1 * L);
        a20.intoArray(park, po + 2 * ps + 0 * L);
        a21.intoArray(park, po + 2 * ps + 1 * L);
        a30.intoArray(park, po + 3 * ps + 0 * L);
        a31.intoArray(park, po + 3 * ps + 1 * L);
    }

    /** 4 groups × 1 token: 4 accumulators. */
    static void tile4x1(float[] w, int wo, int ws, int n, float[] x, int xo, float[] park, int po, int ps, boolean first) {
        FloatVector a00 = first ? FloatVector.zero(F) : FloatVector.fromArray(F, park, po + 0 * ps + 0 * L);
        FloatVector a10 = first ? FloatVector.zero(F) : FloatVector.fromArray(F, park, po + 1 * ps + 0 * L);
        FloatVector a20 = first ? FloatVector.zero(F) : FloatVector.fromArray(F, park, po + 2 * ps + 0 * L);
        FloatVector a30 = first ? FloatVector.zero(F) : FloatVector.fromArray(F, park, po + 3 * ps + 0 * L);
        for (int k = 0; k < n; k++) {
            int xi = xo + k * 1;
            FloatVector w0 = FloatVector.fromArray(F, w, wo + 0 * ws + k * L);
            FloatVector w1 = FloatVector.fromArray(F, w, wo + 1 * ws + k * L);
            FloatVector w2 = FloatVector.fromArray(F, w, wo + 2 * ws + k * L);
            FloatVector w3 = FloatVector.fromArray(F, w, wo + 3 * ws + k * L);
            FloatVector x0 = FloatVector.broadcast(F, x[xi + 0]);
            a00 = w0.fma(x0, a00);
            a10 = w1.fma(x0, a10);
            a20 = w2.fma(x0, a20);
            a30 = w3.fma(x0, a30);
        }
        a00.intoArray(park, po + 0 * ps + 0 * L);
        a10.intoArray(park, po + 1 * ps + 0 * L);
        a20.intoArray(park, po + 2 * ps + 0 * L);
        a30.intoArray(park, po + 3 * ps + 0 * L);
    }

    /** 1 group × 4 tokens: 4 accumulators. */
    static void tile1x4(float[] w, int wo, int ws, int n, float[] x, int xo, float[] park, int po, int ps, boolean first) {
        FloatVector a00 = first ? FloatVector.zero(F) : FloatVector.fromArray(F, park, po + 0 * ps + 0 * L);
        FloatVector a01 = first ? FloatVector.zero(F) : FloatVector.fromArray(F, park, po + 0 * ps + 1 * L);
        FloatVector a02 = first ? FloatVector.zero(F) : FloatVector.fromArray(F, park, po + 0 * ps + 2 * L);
        FloatVector a03 = first ? FloatVector.zero(F) : FloatVector.fromArray(F, park, po + 0 * ps + 3 * L);
        for (int k = 0; k < n; k++) {
            int xi = xo + k * 4;
            FloatVector w0 = FloatVector.fromArray(F, w, wo + 0 * ws + k * L);
            FloatVector x0 = FloatVector.broadcast(F, x[xi + 0]);
            a00 = w0.fma(x0, a00);
            FloatVector x1 = FloatVector.broadcast(F, x[xi + 1]);
            a01 = w0.fma(x1, a01);
            FloatVector x2 = FloatVector.broadcast(F, x[xi + 2]);
            a02 = w0.fma(x2, a02);
            FloatVector x3 = FloatVector.broadcast(F, x[xi + 3]);
            a03 = w0.fma(x3, a03);
        }
        a00.intoArray(park, po + 0 * ps + 0 * L);
        a01.intoArray(park, po + 0 * ps + 1 * L);
        a02.intoArray(park, po + 0 * ps + 2 * L);
        a03.intoArray(park, po + 0 * ps + 3 * L);
    }

    /** 1 group × 3 tokens: 3 accumulators. */
    static void tile1x3(float[] w, int wo, int ws, int n, float[] x, int xo, float[] park, int po, int ps, boolean first) {
        FloatVector a00 = first ? FloatVector.zero(F) : FloatVector.fromArray(F, park, po + 0 * ps + 0 * L);
        FloatVector a01 = first ? FloatVector.zero(F) : FloatVector.fromArray(F, park, po + 0 * ps + 1 * L);
        FloatVector a02 = first ? FloatVector.zero(F) : FloatVector.fromArray(F, park, po + 0 * ps + 2 * L);
        for (int k = 0; k < n; k++) {
            int xi = xo + k * 3;
            FloatVector w0 = FloatVector.fromArray(F, w, wo + 0 * ws + k * L);
            FloatVector x0 = FloatVector.broadcast(F, x[xi + 0]);
            a00 = w0.fma(x0, a00);
            FloatVector x1 = FloatVector.broadcast(F, x[xi + 1]);
            a01 = w0.fma(x1, a01);
            FloatVector x2 = FloatVector.broadcast(F, x[xi + 2]);
            a02 = w0.fma(x2, a02);
        }
        a00.intoArray(park, po + 0 * ps + 0 * L);
        a01.intoArray(park, po + 0 * ps + 1 * L);
        a02.intoArray(park, po + 0 * ps + 2 * L);
    }

    /** 1 group × 2 tokens: 2 accumulators. */
    static void tile1x2(float[] w, int wo, int ws, int n, float[] x, int xo, float[] park, int po, int ps, boolean first) {
        FloatVector a00 = first ? FloatVector.zero(F) : FloatVector.fromArray(F, park, po + 0 * ps + 0 * L);
        FloatVector a01 = first ? FloatVector.zero(F) : FloatVector.fromArray(F, park, po + 0 * ps + 1 * L);
        for (int k = 0; k < n; k++) {
            int xi = xo + k * 2;
            FloatVector w0 = FloatVector.fromArray(F, w, wo + 0 * ws + k * L);
            FloatVector x0 = FloatVector.broadcast(F, x[xi + 0]);
            a00 = w0.fma(x0, a00);
            FloatVector x1 = FloatVector.broadcast(F, x[xi + 1]);
            a01 = w0.fma(x1, a01);
        }
        a00.intoArray(park, po + 0 * ps + 0 * L);
        a01.intoArray(park, po + 0 * ps + 1 * L);
    }

    /** 1 group × 1 token: 1 accumulator. */
    static void tile1x1(float[] w, int wo, int ws, int n, float[] x, int xo, float[] park, int po, int ps, boolean first) {
        FloatVector a00 = first ? FloatVector.zero(F) : FloatVector.fromArray(F, park, po + 0 * ps + 0 * L);
        for (int k = 0; k < n; k++) {
            int xi = xo + k * 1;
            FloatVector w0 = FloatVector.fromArray(F, w, wo + 0 * ws + k * L);
            FloatVector x0 = FloatVector.broadcast(F, x[xi + 0]);
            a00 = w0.fma(x0, a00);
        }
        a00.intoArray(park, po + 0 * ps + 0 * L);
    }
}
