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
 * Q4_0 weights: blocks of 32 elements, each a float16 scale {@code d} followed by 16 bytes; byte {@code j} holds element
 * {@code j} in its low nibble and element {@code j + 16} in its high nibble, each stored as {@code q + 8}: element value
 * {@code d * (nibble - 8)}. 18 bytes per block.
 *
 * <p>The 16 quant bytes are read {@link VectorShapes#B_LANES} at a time, as many as there are float lanes (at least 8),
 * so that widening them to int lanes is one instruction: with 8 float lanes (AVX2), widening the upper half of a 16-byte
 * vector ({@code convertShape} part 1) is not compiled to vector code at all, and decoding ran at 1 % of its speed.
 */
public record Q4Matrix(MemorySegment data, int rows, int cols) implements WeightMatrix {
    static final int BLOCK = 32;
    static final int BLOCK_BYTES = 18;

    @Override
    public GgmlType type() {
        return GgmlType.Q4_0;
    }

    @Override
    public float dot(int row, float[] x, int xOff) {
        int blocks = cols / BLOCK;
        long base = (long) row * blocks * BLOCK_BYTES;
        FloatVector acc = FloatVector.zero(F);
        for (int b = 0; b < blocks; b++) {
            long off = base + (long) b * BLOCK_BYTES;
            float d = Float.float16ToFloat(data.get(ValueLayout.JAVA_SHORT_UNALIGNED, off));
            int xi = xOff + b * BLOCK;
            FloatVector sum = FloatVector.zero(F);
            for (int j = 0; j < 16; j += B_LANES) {
                ByteVector q = ByteVector.fromMemorySegment(B, data, off + 2 + j, ByteOrder.LITTLE_ENDIAN);
                for (int p = 0; p < B_PARTS; p++) {
                    IntVector qi = (IntVector) q.convertShape(VectorOperators.ZERO_EXTEND_B2I, I, p);
                    sum = low(qi).fma(FloatVector.fromArray(F, x, xi + j + p * L), sum);
                    sum = high(qi).fma(FloatVector.fromArray(F, x, xi + 16 + j + p * L), sum);
                }
            }
            acc = sum.fma(FloatVector.broadcast(F, d), acc);
        }
        return VectorShapes.sum(acc);
    }

    /**
     * Rows {@code row} and {@code row + 1} side by side (two memory streams, one load of {@code x} for both); before each
     * run of {@link ReadAhead#RUN_BLOCKS} blocks, both rows' lines {@link ReadAhead#distance()} ahead are touched
     * ({@link ReadAhead#touchRun}), which took the engine's Q4_0 decode from 11.3 to 14.5 tokens/s.
     */
    @Override
    public void dot2(int row, float[] x, int xOff, float[] out, int o) {
        int blocks = cols / BLOCK;
        long base0 = (long) row * blocks * BLOCK_BYTES;
        long base1 = base0 + (long) blocks * BLOCK_BYTES;
        long lastByte = data.byteSize() - 1;
        FloatVector acc0 = FloatVector.zero(F);
        FloatVector acc1 = FloatVector.zero(F);
        int touched = 0;
        for (int b = 0; b < blocks; b++) {
            long off0 = base0 + (long) b * BLOCK_BYTES;
            long off1 = base1 + (long) b * BLOCK_BYTES;
            if (b % ReadAhead.RUN_BLOCKS == 0) {
                touched += ReadAhead.touchRun(data, off0, ReadAhead.RUN_BLOCKS * BLOCK_BYTES, lastByte);
                touched += ReadAhead.touchRun(data, off1, ReadAhead.RUN_BLOCKS * BLOCK_BYTES, lastByte);
            }
            float d0 = Float.float16ToFloat(data.get(ValueLayout.JAVA_SHORT_UNALIGNED, off0));
            float d1 = Float.float16ToFloat(data.get(ValueLayout.JAVA_SHORT_UNALIGNED, off1));
            int xi = xOff + b * BLOCK;
            FloatVector sum0 = FloatVector.zero(F);
            FloatVector sum1 = FloatVector.zero(F);
            for (int j = 0; j < 16; j += B_LANES) {
                ByteVector q0 = ByteVector.fromMemorySegment(B, data, off0 + 2 + j, ByteOrder.LITTLE_ENDIAN);
                ByteVector q1 = ByteVector.fromMemorySegment(B, data, off1 + 2 + j, ByteOrder.LITTLE_ENDIAN);
                for (int p = 0; p < B_PARTS; p++) {
                    FloatVector xlo = FloatVector.fromArray(F, x, xi + j + p * L);
                    FloatVector xhi = FloatVector.fromArray(F, x, xi + 16 + j + p * L);
                    IntVector qi0 = (IntVector) q0.convertShape(VectorOperators.ZERO_EXTEND_B2I, I, p);
                    IntVector qi1 = (IntVector) q1.convertShape(VectorOperators.ZERO_EXTEND_B2I, I, p);
                    sum0 = low(qi0).fma(xlo, sum0);
                    sum0 = high(qi0).fma(xhi, sum0);
                    sum1 = low(qi1).fma(xlo, sum1);
                    sum1 = high(qi1).fma(xhi, sum1);
                }
            }
            acc0 = sum0.fma(FloatVector.broadcast(F, d0), acc0);
            acc1 = sum1.fma(FloatVector.broadcast(F, d1), acc1);
        }
        ReadAhead.keep(touched);
        // reduceLanes, not VectorShapes.sum: any other lane sum here (the butterfly, or lane by lane) cost this kernel
        // 25-35 % (Q4_0 decode 11.6 -> 8.4 tok/s; see docs/inference-engine.md), so Q4_0's two-row path is the one
        // place whose last bits may differ between the interpreter and C2
        out[o] = acc0.reduceLanes(VectorOperators.ADD);
        out[o + 1] = acc1.reduceLanes(VectorOperators.ADD);
    }

    /**
     * The low nibbles of zero-extended bytes, less 8, as floats. The nibbles are split in int lanes: x86 has no byte
     * shift, so a byte-lane shift costs several instructions; zero-extended, the high nibble needs no mask.
     */
    private static FloatVector low(IntVector bytes) {
        return (FloatVector) bytes.and(0x0F).sub(8).convert(VectorOperators.I2F, 0);
    }

    /** The high nibbles of zero-extended bytes, less 8, as floats. */
    private static FloatVector high(IntVector bytes) {
        return (FloatVector) bytes.lanewise(VectorOperators.LSHR, 4).sub(8).convert(VectorOperators.I2F, 0);
    }

    /**
     * Decodes as {@code q * d + (-8 * d)}: one fused multiply-add per vector, which rounds {@code (q - 8) * d} once,
     * exactly as a subtract-then-multiply would.
     */
    @Override
    public void dequantize(int row, int fromCol, int count, float[] dst, int dstOff) {
        long base = ((long) row * cols + fromCol) / BLOCK * BLOCK_BYTES;
        for (int b = 0; b < count / BLOCK; b++) {
            long off = base + (long) b * BLOCK_BYTES;
            float d = Float.float16ToFloat(data.get(ValueLayout.JAVA_SHORT_UNALIGNED, off));
            FloatVector scale = FloatVector.broadcast(F, d);
            FloatVector bias = FloatVector.broadcast(F, -8f * d);
            int o = dstOff + b * BLOCK;
            for (int j = 0; j < 16; j += B_LANES) {
                ByteVector q = ByteVector.fromMemorySegment(B, data, off + 2 + j, ByteOrder.LITTLE_ENDIAN);
                for (int p = 0; p < B_PARTS; p++) {
                    IntVector qi = (IntVector) q.convertShape(VectorOperators.ZERO_EXTEND_B2I, I, p);
                    int e = o + j + p * L;
                    ((FloatVector) qi.and(0x0F).convert(VectorOperators.I2F, 0)).fma(scale, bias).intoArray(dst, e);
                    ((FloatVector) qi.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0)).fma(scale, bias).intoArray(dst, e + 16);
                }
            }
        }
    }
}
