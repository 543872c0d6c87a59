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
 * Q6_K weights: super-blocks of 256 elements in 210 bytes — 128 bytes of low nibbles {@code ql}, 64 bytes of high
 * bit pairs {@code qh}, 16 signed 8-bit scales (one per 16 elements), float16 {@code d} last. Each half of 128
 * elements uses 64 bytes of {@code ql} and 32 of {@code qh}: element {@code l + 32k} ({@code l < 32}) takes the low
 * nibble of {@code ql[l]} (k = 0), of {@code ql[l + 32]} (k = 1), or their high nibbles (k = 2, 3), and bits
 * {@code 2k, 2k + 1} of {@code qh[l]} as its top two bits; value {@code d * scale[element / 16] * (q - 32)}.
 */
public record Q6KMatrix(MemorySegment data, int rows, int cols) implements KQuantMatrix {
    @Override
    public GgmlType type() {
        return GgmlType.Q6_K;
    }

    @Override
    public float superBlock(long off, float[] dst, int o, float[] x, int xo) {
        float d = Float.float16ToFloat(data.get(ValueLayout.JAVA_SHORT_UNALIGNED, off + 208));
        FloatVector acc = FloatVector.zero(F);
        for (int half = 0; half < 2; half++) {
            long ql = off + 64L * half;
            long qh = off + 128 + 32L * half;
            long sc = off + 192 + 8L * half;
            for (int j = 0; j < 32; j += B.length()) {
                ByteVector a = ByteVector.fromMemorySegment(B, data, ql + j, ByteOrder.LITTLE_ENDIAN);
                ByteVector c = ByteVector.fromMemorySegment(B, data, ql + 32 + j, ByteOrder.LITTLE_ENDIAN);
                ByteVector h = ByteVector.fromMemorySegment(B, data, qh + j, ByteOrder.LITTLE_ENDIAN);
                for (int p = 0; p < B_PARTS; p++) {
                    int l = j + p * L;
                    int is = l / 16;
                    IntVector ai = (IntVector) a.convertShape(VectorOperators.ZERO_EXTEND_B2I, I, p);
                    IntVector ci = (IntVector) c.convertShape(VectorOperators.ZERO_EXTEND_B2I, I, p);
                    IntVector hi = (IntVector) h.convertShape(VectorOperators.ZERO_EXTEND_B2I, I, p);
                    FloatVector w0 = value(ai.and(0x0F), hi, 0, d * scale(sc, is));
                    FloatVector w1 = value(ci.and(0x0F), hi, 2, d * scale(sc, is + 2));
                    FloatVector w2 = value(ai.lanewise(VectorOperators.LSHR, 4), hi, 4, d * scale(sc, is + 4));
                    FloatVector w3 = value(ci.lanewise(VectorOperators.LSHR, 4), hi, 6, d * scale(sc, is + 6));
                    int e = 128 * half + l;
                    if (x == null) {
                        w0.intoArray(dst, o + e);
                        w1.intoArray(dst, o + e + 32);
                        w2.intoArray(dst, o + e + 64);
                        w3.intoArray(dst, o + e + 96);
                    } else {
                        acc = w0.fma(FloatVector.fromArray(F, x, xo + e), acc);
                        acc = w1.fma(FloatVector.fromArray(F, x, xo + e + 32), acc);
                        acc = w2.fma(FloatVector.fromArray(F, x, xo + e + 64), acc);
                        acc = w3.fma(FloatVector.fromArray(F, x, xo + e + 96), acc);
                    }
                }
            }
        }
        return x == null ? 0 : VectorShapes.sum(acc);
    }

    /** {@code s * ((low | ((high >> shift) & 3) << 4) - 32)}. */
    private static FloatVector value(IntVector low, IntVector high, int shift, float s) {
        IntVector q = low.or(high.lanewise(VectorOperators.LSHR, shift).and(3).lanewise(VectorOperators.LSHL, 4)).sub(32);
        return ((FloatVector) q.convert(VectorOperators.I2F, 0)).mul(s);
    }

    private int scale(long sc, int i) {
        return data.get(ValueLayout.JAVA_BYTE, sc + i);
    }
}
