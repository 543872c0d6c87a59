package dev.tangram.inference.kernels;

import static dev.tangram.inference.kernels.VectorShapes.B;
import static dev.tangram.inference.kernels.VectorShapes.B_PARTS;
import static dev.tangram.inference.kernels.VectorShapes.F;
import static dev.tangram.inference.kernels.VectorShapes.I;
import static dev.tangram.inference.kernels.VectorShapes.L;

import dev.tangram.inference.gguf.GgmlType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Q4_K weights: super-blocks of 256 elements in 144 bytes — float16 {@code d}, float16 {@code dmin}, 12 bytes of
 * 6-bit sub-block scales and mins ({@link KQuantScales}), 128 bytes of 4-bit quants. Sub-block {@code s} (32 elements)
 * decodes as {@code d * scale[s] * q - dmin * min[s]}; the 64 elements of sub-blocks {@code 2i} and {@code 2i + 1}
 * share 32 bytes, the first in the low nibbles and the second in the high ones.
 */
public record Q4KMatrix(MemorySegment data, int rows, int cols) implements WeightMatrix {
    static final int BLOCK_BYTES = 144;

    @Override
    public GgmlType type() {
        return GgmlType.Q4_K;
    }

    @Override
    public float dot(int row, float[] x, int xOff) {
        return DecodedDot.dot(this, row, x, xOff);
    }

    @Override
    public void dequantize(int row, int fromCol, int count, float[] dst, int dstOff) {
        long base = ((long) row * cols + fromCol) / DecodedDot.SUPER_BLOCK * BLOCK_BYTES;
        for (int b = 0; b < count / DecodedDot.SUPER_BLOCK; b++) {
            long off = base + (long) b * BLOCK_BYTES;
            float d = Float.float16ToFloat(data.get(ValueLayout.JAVA_SHORT_UNALIGNED, off));
            float dmin = Float.float16ToFloat(data.get(ValueLayout.JAVA_SHORT_UNALIGNED, off + 2));
            long scales = off + 4;
            long qs = off + 4 + KQuantScales.BYTES;
            for (int i = 0; i < 4; i++) {
                FloatVector d1 = FloatVector.broadcast(F, d * KQuantScales.scale(data, scales, 2 * i));
                FloatVector m1 = FloatVector.broadcast(F, -dmin * KQuantScales.min(data, scales, 2 * i));
                FloatVector d2 = FloatVector.broadcast(F, d * KQuantScales.scale(data, scales, 2 * i + 1));
                FloatVector m2 = FloatVector.broadcast(F, -dmin * KQuantScales.min(data, scales, 2 * i + 1));
                int o = dstOff + b * DecodedDot.SUPER_BLOCK + 64 * i;
                for (int j = 0; j < 32; j += B.length()) {
                    ByteVector q = ByteVector.fromMemorySegment(B, data, qs + 32L * i + j, ByteOrder.LITTLE_ENDIAN);
                    for (int p = 0; p < B_PARTS; p++) {
                        IntVector qi = (IntVector) q.convertShape(VectorOperators.ZERO_EXTEND_B2I, I, p);
                        ((FloatVector) qi.and(0x0F).convert(VectorOperators.I2F, 0)).fma(d1, m1).intoArray(dst, o + j + p * L);
                        ((FloatVector) qi.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0)).fma(d2, m2)
                                .intoArray(dst, o + 32 + j + p * L);
                    }
                }
            }
        }
    }
}
