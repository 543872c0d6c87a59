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
 * Q5_K weights: super-blocks of 256 elements in 176 bytes — float16 {@code d}, float16 {@code dmin}, 12 bytes of
 * 6-bit scales and mins ({@link KQuantScales}), 32 bytes of fifth bits {@code qh}, 128 bytes of low nibbles. As Q4_K,
 * with the quant of element {@code l} of sub-block {@code s} widened by bit {@code s} of {@code qh[l]} (worth 16).
 */
public record Q5KMatrix(MemorySegment data, int rows, int cols) implements WeightMatrix {
    static final int BLOCK_BYTES = 176;

    @Override
    public GgmlType type() {
        return GgmlType.Q5_K;
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
            long qh = scales + KQuantScales.BYTES;
            long qs = qh + 32;
            for (int i = 0; i < 4; i++) {
                FloatVector d1 = FloatVector.broadcast(F, d * KQuantScales.scale(data, scales, 2 * i));
                FloatVector m1 = FloatVector.broadcast(F, -dmin * KQuantScales.min(data, scales, 2 * i));
                FloatVector d2 = FloatVector.broadcast(F, d * KQuantScales.scale(data, scales, 2 * i + 1));
                FloatVector m2 = FloatVector.broadcast(F, -dmin * KQuantScales.min(data, scales, 2 * i + 1));
                int o = dstOff + b * DecodedDot.SUPER_BLOCK + 64 * i;
                for (int j = 0; j < 32; j += B.length()) {
                    ByteVector q = ByteVector.fromMemorySegment(B, data, qs + 32L * i + j, ByteOrder.LITTLE_ENDIAN);
                    ByteVector h = ByteVector.fromMemorySegment(B, data, qh + j, ByteOrder.LITTLE_ENDIAN);
                    for (int p = 0; p < B_PARTS; p++) {
                        IntVector qi = (IntVector) q.convertShape(VectorOperators.ZERO_EXTEND_B2I, I, p);
                        IntVector hi = (IntVector) h.convertShape(VectorOperators.ZERO_EXTEND_B2I, I, p);
                        IntVector lo5 = qi.and(0x0F).or(hi.lanewise(VectorOperators.LSHR, 2 * i).and(1).lanewise(VectorOperators.LSHL, 4));
                        IntVector hi5 = qi.lanewise(VectorOperators.LSHR, 4)
                                .or(hi.lanewise(VectorOperators.LSHR, 2 * i + 1).and(1).lanewise(VectorOperators.LSHL, 4));
                        ((FloatVector) lo5.convert(VectorOperators.I2F, 0)).fma(d1, m1).intoArray(dst, o + j + p * L);
                        ((FloatVector) hi5.convert(VectorOperators.I2F, 0)).fma(d2, m2).intoArray(dst, o + 32 + j + p * L);
                    }
                }
            }
        }
    }
}
