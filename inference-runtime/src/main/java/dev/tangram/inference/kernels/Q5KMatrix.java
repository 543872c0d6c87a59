package dev.tangram.inference.kernels;

import dev.tangram.inference.gguf.GgmlType;
import java.lang.foreign.MemorySegment;

/**
 * Q5_K weights: super-blocks of 256 elements in 176 bytes — float16 {@code d}, float16 {@code dmin}, 12 bytes of
 * 6-bit scales and mins ({@link KQuantScales}), 32 bytes of fifth bits {@code qh}, 128 bytes of low nibbles. As Q4_K,
 * with the quant of element {@code l} of sub-block {@code s} widened by bit {@code s} of {@code qh[l]} (worth 16).
 */
public record Q5KMatrix(MemorySegment data, int rows, int cols) implements KQuantMatrix {
    @Override
    public GgmlType type() {
        return GgmlType.Q5_K;
    }

    @Override
    public float superBlock(long off, float[] dst, int o, float[] x, int xo) {
        return KQuantScales.superBlock(data, off, off + 4 + KQuantScales.BYTES + 32, off + 4 + KQuantScales.BYTES, dst, o, x, xo);
    }
}
