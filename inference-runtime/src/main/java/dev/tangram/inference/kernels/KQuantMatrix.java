package dev.tangram.inference.kernels;

/**
 * The K-quant matrices: rows of 256-element super-blocks, each decoded on its own by {@link #superBlock}, which either
 * writes the decoded floats or, for one token, multiplies them with {@code x} as they are decoded.
 */
sealed interface KQuantMatrix extends WeightMatrix permits Q4KMatrix, Q5KMatrix, Q6KMatrix {
    int SUPER_BLOCK = 256;

    /**
     * The super-block at byte {@code off} of {@link #data()}: with {@code x == null} its 256 floats go to
     * {@code dst[o ..]} and the result is 0; otherwise nothing is written and the result is their dot product with
     * {@code x[xo .. xo + 256)} (lanes summed in {@link VectorShapes#sum}'s fixed order).
     */
    float superBlock(long off, float[] dst, int o, float[] x, int xo);

    @Override
    default float dot(int row, float[] x, int xOff) {
        int blockBytes = type().blockBytes();
        long base = (long) row * (cols() / SUPER_BLOCK) * blockBytes;
        float sum = 0;
        for (int b = 0; b < cols() / SUPER_BLOCK; b++) {
            sum += superBlock(base + (long) b * blockBytes, null, 0, x, xOff + b * SUPER_BLOCK);
        }
        return sum;
    }

    @Override
    default void dequantize(int row, int fromCol, int count, float[] dst, int dstOff) {
        int blockBytes = type().blockBytes();
        long base = ((long) row * cols() + fromCol) / SUPER_BLOCK * blockBytes;
        for (int b = 0; b < count / SUPER_BLOCK; b++) {
            superBlock(base + (long) b * blockBytes, dst, dstOff + b * SUPER_BLOCK, null, 0);
        }
    }
}
