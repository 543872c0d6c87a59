package dev.tangram.inference.kernels;

/**
 * The K-quant lane matrices (Q4_K, Q5_K, Q6_K): besides the float products every lane matrix has, one token and the
 * tokens of a decode step straight from the quants in short lanes, against activations rounded to 8 bits
 * ({@link Int8Activations}), which {@link MatmulKernel} calls without knowing which of the three it holds.
 */
public sealed interface KQuantLaneMatrix extends LaneGroupMatrix permits Q4KLaneMatrix, Q5KLaneMatrix, Q6KLaneMatrix {
    /**
     * Group {@code g} times token {@code t} of the tile of {@code w} tokens from {@code t0} of the rounded activations
     * ({@link Int8Activations#quantize}'s layout), results to {@code out[o ..]}. One token is the tile of one from 0.
     */
    void dotGroup(int g, Int8Activations x, int t0, int w, int t, float[] out, int o);

    /**
     * As {@link #dotGroup(int, Int8Activations, int, int, int, float[], int)}, for tokens {@code t} and {@code t + 1} of
     * the tile, their results to {@code out[o ..]} and {@code out[o + stride ..]}.
     */
    void dotGroup2(int g, Int8Activations x, int t0, int w, int t, float[] out, int o, int stride);
}
