package dev.tangram.inference.kernels;

/**
 * Tokens' activations rounded to 8 bits per block of 32, the way Q8_0 encodes weights: the block's scale is its
 * largest magnitude over 127, and each value becomes the nearest whole number of scales (a tie to the even one), in
 * [-127, 127]. Q4_0 and K-quant matrices with rows in lanes multiply these, one to a few tokens at a time
 * ({@link Q4LaneMatrix#dotGroup}, {@link KQuantLaneMatrix#dotGroup(int, Int8Activations, int, int, int, float[], int)}):
 * a 4- to 6-bit weight times an 8-bit value is a 16-bit product, so a block's products add up in short lanes without
 * converting a single weight to a float, and only the block's sum is scaled. llama.cpp multiplies those weights the same
 * way on the CPU.
 *
 * <p>The other path through those lane matrices (many tokens, decoded into floats in register tiles) is given the same
 * rounded values as floats ({@link #round}), so that one token and a batch multiply the same numbers.
 */
final class Int8Activations {
    static final int BLOCK = 32;
    /** Largest level; the block's largest magnitude maps to it. */
    private static final float LEVELS = 127f;
    /**
     * 1.5 × 2^23: a float under 2^22 in magnitude plus this, less this, is the nearest whole number (a tie to the even
     * one), in two additions the JIT vectorises; with {@code Math.round} the rounding of a 512-token input took 2.6 times
     * as long (JFR samples, 4 % of the product against 1.6 %), on the calling thread while the other workers wait.
     */
    private static final float NEAREST = 0x1.8p23f;

    /** The levels, one per value ({@code short}s: the product broadcasts them to short lanes). */
    private short[] levels = new short[0];
    /** Per block, 8 × the sum of its levels: Q4_0 stores each weight as {@code nibble - 8}, so a block's dot product is Σ nibble · level − 8 Σ level. */
    private int[] offsets = new int[0];
    /** Per block, the float one level is worth. */
    private float[] scales = new float[0];

    /**
     * Rounds {@code tokens} token vectors of {@code cols} values ({@code x}, back to back; {@code cols} whole blocks),
     * keeping them tile by tile as {@link LaneTiles#interleave} does without octets: the tile of tokens
     * {@code [t0, t0 + w)} ({@link LaneTiles#width}) keeps its levels from {@code levels()[t0 * cols]}, level {@code k} of
     * its token {@code t} at {@code [t0 * cols + k * w + t]}, and its blocks' offsets and scales from
     * {@code [t0 * blocks]}, block {@code b} of token {@code t} at {@code [t0 * blocks + b * w + t]}.
     */
    void quantize(float[] x, int tokens, int cols) {
        requireWholeBlocks(cols);
        int blocks = cols / BLOCK;
        grow(tokens, cols, blocks);
        for (int t0 = 0, w; t0 < tokens; t0 += w) {
            w = LaneTiles.width(false, tokens - t0);
            tile(x, t0, w, cols, blocks);
        }
    }

    /**
     * Rounds {@code tokens} token vectors as {@link #quantize} does, each its own tile of one: token {@code t} keeps its
     * levels from {@code levels()[t * cols]}, for one-token products of different tokens (one token is the same either way).
     */
    void quantizeEach(float[] x, int tokens, int cols) {
        requireWholeBlocks(cols);
        int blocks = cols / BLOCK;
        grow(tokens, cols, blocks);
        for (int t = 0; t < tokens; t++) {
            tile(x, t, 1, cols, blocks);
        }
    }

    private void grow(int tokens, int cols, int blocks) {
        if (levels.length < tokens * cols) {
            levels = new short[tokens * cols];
        }
        if (offsets.length < tokens * blocks) {
            offsets = new int[tokens * blocks];
            scales = new float[tokens * blocks];
        }
    }

    /** The tile of tokens {@code [t0, t0 + w)}, laid out as {@link #quantize} says. */
    private void tile(float[] x, int t0, int w, int cols, int blocks) {
        for (int t = 0; t < w; t++) {
            int from = (t0 + t) * cols;
            for (int b = 0; b < blocks; b++) {
                int at = from + b * BLOCK;
                float scale = scale(x, at);
                float inverse = inverse(scale);
                int sum = 0;
                for (int i = 0; i < BLOCK; i++) {
                    int level = (int) level(x[at + i], inverse);
                    levels[t0 * cols + (b * BLOCK + i) * w + t] = (short) level;
                    sum += level;
                }
                offsets[t0 * blocks + b * w + t] = 8 * sum;
                scales[t0 * blocks + b * w + t] = scale;
            }
        }
    }

    /**
     * {@code values} floats of {@code x} (whole blocks) as the rounding leaves them, level times scale, into {@code dst}:
     * what the one-token product multiplies, for the paths that multiply floats.
     */
    static void round(float[] x, int values, float[] dst) {
        requireWholeBlocks(values);
        for (int at = 0; at < values; at += BLOCK) {
            float scale = scale(x, at);
            float inverse = inverse(scale);
            for (int i = at; i < at + BLOCK; i++) {
                dst[i] = level(x[i], inverse) * scale;
            }
        }
    }

    private static void requireWholeBlocks(int values) {
        if (values % BLOCK != 0) {
            throw new IllegalArgumentException("activations are rounded in whole blocks of " + BLOCK + ": " + values);
        }
    }

    /** What one level is worth's reciprocal: 0 for a block of zeros, whose levels are then all 0. */
    private static float inverse(float scale) {
        return scale == 0 ? 0 : 1 / scale;
    }

    /** {@code value}'s level, a whole number as a float: the one rounding rule of every path. */
    private static float level(float value, float inverse) {
        return value * inverse + NEAREST - NEAREST;
    }

    private static float scale(float[] x, int at) {
        float max = 0;
        for (int i = at; i < at + BLOCK; i++) {
            max = Math.max(max, Math.abs(x[i]));
        }
        return max / LEVELS;
    }

    /** The levels of the last {@link #quantize}, tile by tile. */
    short[] levels() {
        return levels;
    }

    /** Per block and token of the last {@link #quantize}, tile by tile: 8 × the sum of its levels. */
    int[] offsets() {
        return offsets;
    }

    /** Per block and token of the last {@link #quantize}, tile by tile: the float one level is worth. */
    float[] scales() {
        return scales;
    }
}
