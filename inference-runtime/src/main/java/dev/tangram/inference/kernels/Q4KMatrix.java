package dev.tangram.inference.kernels;

import dev.tangram.inference.gguf.GgmlType;
import java.lang.foreign.MemorySegment;

/**
 * Q4_K weights: super-blocks of 256 elements in 144 bytes — float16 {@code d}, float16 {@code dmin}, 12 bytes of
 * 6-bit sub-block scales and mins ({@link KQuantScales}), 128 bytes of 4-bit quants. Sub-block {@code s} (32 elements)
 * decodes as {@code d * scale[s] * q - dmin * min[s]}; the 64 elements of sub-blocks {@code 2i} and {@code 2i + 1}
 * share 32 bytes, the first in the low nibbles and the second in the high ones.
 */
public record Q4KMatrix(MemorySegment data, int rows, int cols) implements KQuantMatrix {
    @Override
    public GgmlType type() {
        return GgmlType.Q4_K;
    }

    @Override
    public float superBlock(long off, float[] dst, int o, float[] x, int xo) {
        return KQuantScales.superBlock(data, off, off + 4 + KQuantScales.BYTES, -1, dst, o, x, xo);
    }
}
