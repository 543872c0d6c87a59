package dev.tangram.inference.kernels;

/**
 * Q8_0 or Q4_0 weights rearranged so that one float vector's lanes hold {@link #GROUP} consecutive rows: the rows are
 * taken in groups of {@code GROUP}, and each group's blocks of 32 columns are stored one after another, each as the
 * group's {@code GROUP} float16 scales followed by its quants interleaved, quant {@code k} of every row of the group side
 * by side ({@link LaneLayout}). The bytes are the file's, in another order: the matrix takes exactly as much memory.
 *
 * <p>Why: a row-by-row product ends every 32 elements in a per-row scale and every row in a sum across lanes, and with
 * the row in the lanes it decodes each row's quants for itself. With rows in lanes, one quant vector feeds {@code GROUP}
 * rows' multiply-adds against one token value broadcast to every lane, a block's scales are one vector for the whole
 * group, and the group's results are one vector store, so the decoding work per weight falls by about half (the 1b
 * preset's one-token Q4_0 products ran ~2× faster; docs/inference-engine.md, session 12).
 *
 * <p>Both types decode a group's columns into floats for the many-token register tiles ({@link #decodeGroup}) and
 * multiply one to four tokens straight from their quants in floats ({@link #dotGroup} … {@link #dotGroup4}); Q4_0 also
 * in short lanes against 8-bit activations ({@link Q4LaneMatrix#dotGroup(int, Int8Activations, int, float[], int)}),
 * which one token always takes and a few take where vectors are 512 bits. Those products are written out per token
 * count, one named running sum per token, rather than as one loop over an array of sums: the JIT keeps named vectors in
 * registers, and boxes vectors kept in an array (see {@link LaneTiles}).
 */
public sealed interface LaneGroupMatrix extends WeightMatrix permits Q8LaneMatrix, Q4LaneMatrix {
    /** Rows per group: one float vector's lanes. */
    int GROUP = VectorShapes.L;
    /** Elements per quant block (Q8_0 and Q4_0 alike). */
    int BLOCK = 32;

    /** Rows {@code [g * GROUP, (g + 1) * GROUP)} dotted with {@code x[xOff .. xOff + cols)}, written to {@code out[o ..]}, in floats. */
    void dotGroup(int g, float[] x, int xOff, float[] out, int o);

    /**
     * Four tokens through group {@code g} in floats: value {@code k} of token {@code t} at {@code x[xOff + 4 * k + t]}
     * (interleaved, {@link LaneTiles#interleave}); token {@code t}'s {@code GROUP} results written to
     * {@code out[o + t * stride ..]}.
     */
    void dotGroup4(int g, float[] x, int xOff, float[] out, int o, int stride);

    /** As {@link #dotGroup4}, for two tokens: value {@code k} of token {@code t} at {@code x[xOff + 2 * k + t]}. */
    void dotGroup2(int g, float[] x, int xOff, float[] out, int o, int stride);

    /** As {@link #dotGroup4}, for three tokens: value {@code k} of token {@code t} at {@code x[xOff + 3 * k + t]}. */
    void dotGroup3(int g, float[] x, int xOff, float[] out, int o, int stride);

    /**
     * Eight tokens through groups {@code g0} and {@code g1} in floats: value {@code k} of token {@code t} at
     * {@code x[xOff + 8 * k + t]}; the first {@code count} tokens' results for {@code g0} written to
     * {@code out[o0 + t * stride ..]}, for {@code g1} to {@code out[o1 + t * stride ..]} (the rest are a padded octet's
     * zeros; {@code g1 == g0} with {@code o1 == o0} takes one group alone, at twice the work). Each column's quants are decoded as {@link #decodeGroup} decodes them and multiplied in column order, so
     * the results are those of the register tiles over the decoded copy, bit for bit, without the copy: sixteen running
     * sums, two decoded vectors and a broadcast fill 19 of AVX-512's 32 registers.
     */
    void dotPair8(int g0, int g1, float[] x, int xOff, float[] out, int o0, int o1, int stride, int count);

    /**
     * Columns {@code [c0, c0 + n)} of group {@code g} as floats, column by column: {@code dst[dOff + k * GROUP + lane]} is
     * row {@code g * GROUP + lane}, column {@code c0 + k}. {@code c0} and {@code n} are whole blocks.
     */
    void decodeGroup(int g, int c0, int n, float[] dst, int dOff);

    /** One row's dot product, from its decoded values: rows one at a time are not what this layout is for. */
    @Override
    default float dot(int row, float[] x, int xOff) {
        float[] w = new float[cols()];
        dequantizeRow(row, w, 0);
        float sum = 0;
        for (int c = 0; c < w.length; c++) {
            sum += w[c] * x[xOff + c];
        }
        return sum;
    }
}
