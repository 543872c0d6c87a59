package dev.tangram.inference.kernels;

/**
 * Quantised weights rearranged so that one float vector's lanes hold {@link #GROUP} consecutive rows: the rows are
 * taken in groups of {@code GROUP}, and each group's blocks of columns are stored one after another, each as the
 * group's {@code GROUP} scales followed by its quants interleaved, quant {@code k} of every row of the group side by
 * side ({@link LaneLayout}). Q8_0 and Q4_0 ({@link FusedLaneMatrix}) keep the file's bytes in another order, so the
 * matrix takes exactly as much memory; the K-quants ({@link KQuantLaneMatrix}) keep their
 * super-blocks' scales in their own order.
 *
 * <p>Why: a row-by-row product ends every 32 elements in a per-row scale and every row in a sum across lanes, and with
 * the row in the lanes it decodes each row's quants for itself. With rows in lanes, one quant vector feeds {@code GROUP}
 * rows' multiply-adds against one token value broadcast to every lane, a block's scales are one vector for the whole
 * group, and the group's results are one vector store, so the decoding work per weight falls by about half (the 1b
 * preset's one-token Q4_0 products ran ~2× faster; docs/inference-engine.md, session 12).
 *
 * <p>Every type decodes a group's columns into floats for the many-token register tiles ({@link #decodeGroup}) and
 * multiplies one token straight from its quants ({@link #dotGroup}); Q8_0 and Q4_0 also a few tokens and octets
 * ({@link FusedLaneMatrix}).
 */
public sealed interface LaneGroupMatrix extends WeightMatrix permits FusedLaneMatrix, KQuantLaneMatrix {
    /** Rows per group: one float vector's lanes. */
    int GROUP = VectorShapes.L;
    /** Elements per quant block (Q8_0 and Q4_0 alike); the K-quants' lane layouts decode in chunks of as many columns. */
    int BLOCK = 32;

    /** Rows {@code [g * GROUP, (g + 1) * GROUP)} dotted with {@code x[xOff .. xOff + cols)}, written to {@code out[o ..]}, in floats. */
    void dotGroup(int g, float[] x, int xOff, float[] out, int o);

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
