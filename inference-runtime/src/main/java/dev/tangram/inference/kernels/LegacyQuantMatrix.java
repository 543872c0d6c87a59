package dev.tangram.inference.kernels;

import static dev.tangram.inference.kernels.VectorShapes.B;
import static dev.tangram.inference.kernels.VectorShapes.B_LANES;
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
 * Q4_1, Q5_0 and Q5_1 weights: llama.cpp's other blocks of 32 (Q4_0 and Q8_0 have kernels of their own). Every block
 * starts with a float16 scale {@code d}; Q4_1 and Q5_1 then have a float16 minimum {@code m}; Q5_0 and Q5_1 then have
 * 4 bytes of fifth bits (bit {@code j} of the little-endian word for element {@code j}, bit {@code j + 16} for element
 * {@code j + 16}); all end with 16 bytes of nibbles, byte {@code j} holding element {@code j} low and {@code j + 16}
 * high. An element is {@code q·d + m}, or {@code (q − 16)·d} for Q5_0. 20, 22 and 24 bytes per block.
 *
 * <p>These come into common files as llama.cpp's fallbacks: a Q4_K_M file stores in Q5_0 the matrices whose rows are
 * not a multiple of 256 wide (every matrix of Qwen2.5-0.5B but its {@code ffn_down}), a Q5_K_M file in Q5_1. Here they
 * are computed from the file's rows: a dot product is {@code d·Σ q·x + m·Σ x} per block, the quants widened to int lanes
 * as in {@link Q4Matrix}. {@link LaneLayout} moves Q5_0 into lanes widened to Q8_0 ({@link Q8LaneMatrix}); Q4_1 and Q5_1 stay here.
 */
public record LegacyQuantMatrix(GgmlType type, MemorySegment data, int rows, int cols) implements WeightMatrix {
    static final int BLOCK = 32;
    /** Lane {@code i} holds {@code i}: the fifth bits of a part's elements are the word shifted right by this plus the first's index. */
    private static final IntVector IOTA = (IntVector) I.iotaShuffle(0, 1, false).toVector();

    public LegacyQuantMatrix {
        if (type != GgmlType.Q4_1 && type != GgmlType.Q5_0 && type != GgmlType.Q5_1) {
            throw new IllegalArgumentException("not a Q4_1, Q5_0 or Q5_1 matrix: " + type);
        }
    }

    private boolean hasMin() {
        return type != GgmlType.Q5_0;
    }

    private boolean hasFifthBits() {
        return type != GgmlType.Q4_1;
    }

    @Override
    public float dot(int row, float[] x, int xOff) {
        int blockBytes = type.blockBytes();
        int blocks = cols / BLOCK;
        long base = (long) row * blocks * blockBytes;
        boolean min = hasMin();
        int nibbles = quantsOffset();
        FloatVector acc = FloatVector.zero(F);
        for (int b = 0; b < blocks; b++) {
            long off = base + (long) b * blockBytes;
            float d = Float.float16ToFloat(data.get(ValueLayout.JAVA_SHORT_UNALIGNED, off));
            float m = min ? Float.float16ToFloat(data.get(ValueLayout.JAVA_SHORT_UNALIGNED, off + 2)) : -16f * d;
            IntVector high = highBits(off, nibbles);
            int xi = xOff + b * BLOCK;
            FloatVector qx = FloatVector.zero(F);
            FloatVector sx = FloatVector.zero(F);
            for (int j = 0; j < 16; j += B_LANES) {
                ByteVector q = ByteVector.fromMemorySegment(B, data, off + nibbles + j, ByteOrder.LITTLE_ENDIAN);
                for (int p = 0; p < B_PARTS; p++) {
                    IntVector qi = (IntVector) q.convertShape(VectorOperators.ZERO_EXTEND_B2I, I, p);
                    int e = j + p * L;
                    IntVector lo = quants(qi, high, e, false);
                    IntVector hi = quants(qi, high, e, true);
                    FloatVector xlo = FloatVector.fromArray(F, x, xi + e);
                    FloatVector xhi = FloatVector.fromArray(F, x, xi + e + 16);
                    qx = ((FloatVector) lo.convert(VectorOperators.I2F, 0)).fma(xlo, qx);
                    qx = ((FloatVector) hi.convert(VectorOperators.I2F, 0)).fma(xhi, qx);
                    sx = sx.add(xlo).add(xhi);
                }
            }
            acc = qx.fma(FloatVector.broadcast(F, d), acc);
            acc = sx.fma(FloatVector.broadcast(F, m), acc);
        }
        return VectorShapes.sum(acc);
    }

    /** Where a block's packed nibbles start: after its scale, its minimum (Q4_1, Q5_1) and its fifth bits (Q5_0, Q5_1). */
    private int quantsOffset() {
        return 2 + (hasMin() ? 2 : 0) + (hasFifthBits() ? 4 : 0);
    }

    /** The fifth bits of the block at {@code off} (the word just before its nibbles) in every lane, or null for Q4_1. */
    private IntVector highBits(long off, int nibbles) {
        return hasFifthBits() ? IntVector.broadcast(I, data.get(ValueLayout.JAVA_INT_UNALIGNED, off + nibbles - 4)) : null;
    }

    /**
     * The quants of elements {@code e .. e + L} (low nibbles of {@code packed}) or, {@code upper}, of elements
     * {@code e + 16 ..} (high nibbles), each with its fifth bit from {@code high} where the type has one.
     */
    private static IntVector quants(IntVector packed, IntVector high, int e, boolean upper) {
        IntVector q = upper ? packed.lanewise(VectorOperators.LSHR, 4) : packed.and(0x0F);
        return high == null ? q : q.or(fifthBits(high, upper ? e + 16 : e));
    }

    /** The fifth bits of elements {@code first .. first + L}, moved to bit 4. */
    private static IntVector fifthBits(IntVector word, int first) {
        return word.lanewise(VectorOperators.LSHR, IOTA.add(first)).and(1).lanewise(VectorOperators.LSHL, 4);
    }

    /**
     * Decodes as {@code q·d + m}, one fused multiply-add per vector; Q5_0 as {@code (q − 16)·d}, exact, and minus zero
     * where {@code d} is negative and {@code q} 16, as llama.cpp decodes it (and as its Q8_0 lanes, {@link LaneLayout}'s
     * widening, give it).
     */
    @Override
    public void dequantize(int row, int fromCol, int count, float[] dst, int dstOff) {
        int blockBytes = type.blockBytes();
        long base = ((long) row * cols + fromCol) / BLOCK * blockBytes;
        boolean min = hasMin();
        int nibbles = quantsOffset();
        for (int b = 0; b < count / BLOCK; b++) {
            long off = base + (long) b * blockBytes;
            float d = Float.float16ToFloat(data.get(ValueLayout.JAVA_SHORT_UNALIGNED, off));
            float m = min ? Float.float16ToFloat(data.get(ValueLayout.JAVA_SHORT_UNALIGNED, off + 2)) : 0f;
            IntVector high = highBits(off, nibbles);
            FloatVector scale = FloatVector.broadcast(F, d);
            FloatVector bias = FloatVector.broadcast(F, m);
            int o = dstOff + b * BLOCK;
            for (int j = 0; j < 16; j += B_LANES) {
                ByteVector q = ByteVector.fromMemorySegment(B, data, off + nibbles + j, ByteOrder.LITTLE_ENDIAN);
                for (int p = 0; p < B_PARTS; p++) {
                    IntVector qi = (IntVector) q.convertShape(VectorOperators.ZERO_EXTEND_B2I, I, p);
                    int e = j + p * L;
                    IntVector lo = quants(qi, high, e, false);
                    IntVector hi = quants(qi, high, e, true);
                    if (min) {
                        ((FloatVector) lo.convert(VectorOperators.I2F, 0)).fma(scale, bias).intoArray(dst, o + e);
                        ((FloatVector) hi.convert(VectorOperators.I2F, 0)).fma(scale, bias).intoArray(dst, o + e + 16);
                    } else {
                        ((FloatVector) lo.sub(16).convert(VectorOperators.I2F, 0)).mul(scale).intoArray(dst, o + e);
                        ((FloatVector) hi.sub(16).convert(VectorOperators.I2F, 0)).mul(scale).intoArray(dst, o + e + 16);
                    }
                }
            }
        }
    }
}
