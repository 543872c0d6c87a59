package dev.tangram.inference.kernels;

import static dev.tangram.inference.kernels.VectorShapes.B;
import static dev.tangram.inference.kernels.VectorShapes.B_PARTS;
import static dev.tangram.inference.kernels.VectorShapes.F;
import static dev.tangram.inference.kernels.VectorShapes.I;
import static dev.tangram.inference.kernels.VectorShapes.L;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

/**
 * What Q4_K and Q5_K share: the 12 bytes in which they pack eight 6-bit sub-block scales and eight 6-bit mins: sub-blocks 0–3 keep their
 * scale in the low 6 bits of byte {@code j} and their min in byte {@code j + 4}; sub-blocks 4–7 keep the low 4 bits of
 * each in byte {@code j + 4} (scale low nibble, min high nibble) and the top 2 bits in the spare high bits of bytes
 * {@code j - 4} (scale) and {@code j} (min).
 */
final class KQuantScales {
    static final int BYTES = 12;

    private KQuantScales() {}

    static int scale(MemorySegment data, long at, int j) {
        return j < 4 ? u8(data, at + j) & 63 : (u8(data, at + j + 4) & 0xF) | ((u8(data, at + j - 4) >> 6) << 4);
    }

    static int min(MemorySegment data, long at, int j) {
        return j < 4 ? u8(data, at + j + 4) & 63 : (u8(data, at + j + 4) >> 4) | ((u8(data, at + j) >> 6) << 4);
    }

    /** Packs eight scales and eight mins (each 0–63) as {@link #scale} and {@link #min} read them. */
    static byte[] pack(int[] scales, int[] mins) {
        byte[] b = new byte[BYTES];
        for (int j = 0; j < 4; j++) {
            b[j] = (byte) (scales[j] | ((scales[j + 4] >> 4) << 6));
            b[j + 4] = (byte) (mins[j] | ((mins[j + 4] >> 4) << 6));
            b[j + 8] = (byte) ((scales[j + 4] & 0xF) | ((mins[j + 4] & 0xF) << 4));
        }
        return b;
    }

    /**
     * One Q4_K or Q5_K super-block ({@link KQuantMatrix#superBlock}): {@code d} and {@code dmin} at {@code off}, the
     * scale bytes after them, the 4-bit quants at {@code qs}, and for Q5_K the fifth bits at {@code qh} ({@code -1} for
     * Q4_K). Sub-blocks {@code 2i} and {@code 2i + 1} share 32 quant bytes (low, then high nibbles) and bits {@code 2i},
     * {@code 2i + 1} of each {@code qh} byte; element value {@code d * scale * q - dmin * min}.
     */
    static float superBlock(MemorySegment data, long off, long qs, long qh, float[] dst, int o, float[] x, int xo) {
        float d = Float.float16ToFloat(data.get(ValueLayout.JAVA_SHORT_UNALIGNED, off));
        float dmin = Float.float16ToFloat(data.get(ValueLayout.JAVA_SHORT_UNALIGNED, off + 2));
        long scales = off + 4;
        FloatVector acc = FloatVector.zero(F);
        for (int i = 0; i < 4; i++) {
            FloatVector d1 = FloatVector.broadcast(F, d * scale(data, scales, 2 * i));
            FloatVector m1 = FloatVector.broadcast(F, -dmin * min(data, scales, 2 * i));
            FloatVector d2 = FloatVector.broadcast(F, d * scale(data, scales, 2 * i + 1));
            FloatVector m2 = FloatVector.broadcast(F, -dmin * min(data, scales, 2 * i + 1));
            for (int j = 0; j < 32; j += B.length()) {
                ByteVector q = ByteVector.fromMemorySegment(B, data, qs + 32L * i + j, ByteOrder.LITTLE_ENDIAN);
                ByteVector h = qh < 0 ? null : ByteVector.fromMemorySegment(B, data, qh + j, ByteOrder.LITTLE_ENDIAN);
                for (int p = 0; p < B_PARTS; p++) {
                    IntVector qi = (IntVector) q.convertShape(VectorOperators.ZERO_EXTEND_B2I, I, p);
                    IntVector lo = qi.and(0x0F);
                    IntVector hi = qi.lanewise(VectorOperators.LSHR, 4);
                    if (h != null) {
                        IntVector bits = (IntVector) h.convertShape(VectorOperators.ZERO_EXTEND_B2I, I, p);
                        lo = lo.or(bits.lanewise(VectorOperators.LSHR, 2 * i).and(1).lanewise(VectorOperators.LSHL, 4));
                        hi = hi.or(bits.lanewise(VectorOperators.LSHR, 2 * i + 1).and(1).lanewise(VectorOperators.LSHL, 4));
                    }
                    FloatVector wLo = ((FloatVector) lo.convert(VectorOperators.I2F, 0)).fma(d1, m1);
                    FloatVector wHi = ((FloatVector) hi.convert(VectorOperators.I2F, 0)).fma(d2, m2);
                    int e = 64 * i + j + p * L;
                    if (x == null) {
                        wLo.intoArray(dst, o + e);
                        wHi.intoArray(dst, o + e + 32);
                    } else {
                        acc = wLo.fma(FloatVector.fromArray(F, x, xo + e), acc);
                        acc = wHi.fma(FloatVector.fromArray(F, x, xo + e + 32), acc);
                    }
                }
            }
        }
        return x == null ? 0 : VectorShapes.sum(acc);
    }

    private static int u8(MemorySegment data, long at) {
        return data.get(ValueLayout.JAVA_BYTE, at) & 0xFF;
    }
}
