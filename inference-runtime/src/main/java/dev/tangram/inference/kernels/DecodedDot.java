package dev.tangram.inference.kernels;

/**
 * The single-token dot product of the K-quant types: each 256-element super-block is decoded into a small per-thread
 * buffer with the type's vectorised {@link WeightMatrix#dequantize} and dotted with {@code x} on the Vector API. The
 * K-quants pack scales in too many ways for a fused kernel per type to pay at this engine's scale.
 */
final class DecodedDot {
    static final int SUPER_BLOCK = 256;
    private static final ThreadLocal<float[]> BUFFER = ThreadLocal.withInitial(() -> new float[SUPER_BLOCK]);

    private DecodedDot() {}

    static float dot(KQuantMatrix m, int row, float[] x, int xOff) {
        float[] buf = BUFFER.get();
        float sum = 0;
        for (int c = 0; c < m.cols(); c += SUPER_BLOCK) {
            m.dequantize(row, c, SUPER_BLOCK, buf, 0);
            sum += MatmulKernel.dot(buf, 0, x, xOff + c, SUPER_BLOCK);
        }
        return sum;
    }
}
