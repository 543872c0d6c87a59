package dev.tangram.inference.kernels;

/**
 * The K-quant matrices: rows of 256-element super-blocks, each decoded on its own ({@link #decodeSuperBlock}); the
 * single-token dot product decodes a super-block at a time into a per-thread buffer ({@link DecodedDot}).
 */
sealed interface KQuantMatrix extends WeightMatrix permits Q4KMatrix, Q5KMatrix, Q6KMatrix {
    /** Decodes the super-block at byte {@code off} of {@link #data()} to {@code dst[o .. o + 256)}. */
    void decodeSuperBlock(long off, float[] dst, int o);

    @Override
    default float dot(int row, float[] x, int xOff) {
        return DecodedDot.dot(this, row, x, xOff);
    }

    @Override
    default void dequantize(int row, int fromCol, int count, float[] dst, int dstOff) {
        int blockBytes = type().blockBytes();
        long base = ((long) row * cols() + fromCol) / DecodedDot.SUPER_BLOCK * blockBytes;
        for (int b = 0; b < count / DecodedDot.SUPER_BLOCK; b++) {
            decodeSuperBlock(base + (long) b * blockBytes, dst, dstOff + b * DecodedDot.SUPER_BLOCK);
        }
    }
}
