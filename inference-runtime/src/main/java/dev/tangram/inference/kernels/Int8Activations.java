package dev.tangram.inference.kernels;

/**
 * A token's activations rounded to 8 bits per block of 32, the way Q8_0 encodes weights: the block's scale is its
 * largest magnitude over 127, and each value becomes the nearest whole number of scales, in [-127, 127]. Q4_0 matrices
 * with rows in lanes multiply these ({@link Q4LaneMatrix#dotGroup(int, Int8Activations, float[], int)}): a 4-bit weight
 * times an 8-bit value is a 16-bit product, so a block's products add up in short lanes without converting a single
 * weight to a float, and only the block's sum is scaled. llama.cpp multiplies Q4_0 weights the same way on the CPU.
 *
 * <p>Every other path through a Q4_0 lane matrix (several tokens, decoded into floats) is given the same rounded values
 * as floats ({@link #round}), so that one token and a batch multiply the same numbers.
 */
final class Int8Activations {
    static final int BLOCK = 32;
    /** Largest level; the block's largest magnitude maps to it. */
    private static final float LEVELS = 127f;

    /** The levels, one per value ({@code short}s: the product broadcasts them to short lanes). */
    private short[] levels = new short[0];
    /** Per block, 8 × the sum of its levels: Q4_0 stores each weight as {@code nibble - 8}, so a block's dot product is Σ nibble · level − 8 Σ level. */
    private int[] offsets = new int[0];
    /** Per block, the float one level is worth. */
    private float[] scales = new float[0];

    /** Rounds {@code x[off .. off + cols)}; {@code cols} is whole blocks. */
    void quantize(float[] x, int off, int cols) {
        if (cols % BLOCK != 0) {
            throw new IllegalArgumentException("activations are rounded in whole blocks of " + BLOCK + ": " + cols);
        }
        int blocks = cols / BLOCK;
        if (levels.length < cols) {
            levels = new short[cols];
        }
        if (offsets.length < blocks) {
            offsets = new int[blocks];
            scales = new float[blocks];
        }
        for (int b = 0; b < blocks; b++) {
            int at = off + b * BLOCK;
            float scale = scale(x, at);
            float inverse = scale == 0 ? 0 : 1 / scale;
            int sum = 0;
            for (int i = 0; i < BLOCK; i++) {
                int level = Math.round(x[at + i] * inverse);
                levels[b * BLOCK + i] = (short) level;
                sum += level;
            }
            offsets[b] = 8 * sum;
            scales[b] = scale;
        }
    }

    /**
     * {@code values} floats of {@code x} (whole blocks) as the rounding leaves them, level times scale, into {@code dst}:
     * what the one-token product multiplies, for the paths that multiply floats.
     */
    static void round(float[] x, int values, float[] dst) {
        if (values % BLOCK != 0) {
            throw new IllegalArgumentException("activations are rounded in whole blocks of " + BLOCK + ": " + values);
        }
        for (int at = 0; at < values; at += BLOCK) {
            float scale = scale(x, at);
            float inverse = scale == 0 ? 0 : 1 / scale;
            for (int i = at; i < at + BLOCK; i++) {
                dst[i] = Math.round(x[i] * inverse) * scale;
            }
        }
    }

    private static float scale(float[] x, int at) {
        float max = 0;
        for (int i = at; i < at + BLOCK; i++) {
            max = Math.max(max, Math.abs(x[i]));
        }
        return max / LEVELS;
    }

    /** The levels, value {@code i} of the last {@link #quantize} at {@code [i]}. */
    short[] levels() {
        return levels;
    }

    /** Per block of the last {@link #quantize}, 8 × the sum of its levels. */
    int[] offsets() {
        return offsets;
    }

    /** Per block of the last {@link #quantize}, the float one level is worth. */
    float[] scales() {
        return scales;
    }
}
