package dev.tangram.inference.kernels;

import static dev.tangram.inference.kernels.VectorShapes.B;
import static dev.tangram.inference.kernels.VectorShapes.B_PARTS;
import static dev.tangram.inference.kernels.VectorShapes.F;
import static dev.tangram.inference.kernels.VectorShapes.L;

import dev.tangram.inference.gguf.GgmlType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Q8_0 weights: blocks of 32 elements, each a float16 scale {@code d} followed by 32 signed bytes {@code q};
 * element {@code i} is {@code d * q[i]}. 34 bytes per block.
 */
public record Q8Matrix(MemorySegment data, int rows, int cols) implements WeightMatrix {
    static final int BLOCK = 32;
    static final int BLOCK_BYTES = 34;

    @Override
    public GgmlType type() {
        return GgmlType.Q8_0;
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
            for (int j = 0; j < BLOCK; j += B.length()) {
                ByteVector q = ByteVector.fromMemorySegment(B, data, off + 2 + j, ByteOrder.LITTLE_ENDIAN);
                for (int p = 0; p < B_PARTS; p++) {
                    FloatVector w = (FloatVector) q.convertShape(VectorOperators.B2F, F, p);
                    sum = w.fma(FloatVector.fromArray(F, x, xi + j + p * L), sum);
                }
            }
            acc = sum.fma(FloatVector.broadcast(F, d), acc);
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }

    @Override
    public void dot2(int row, float[] x, int xOff, float[] out, int o) {
        int blocks = cols / BLOCK;
        long base0 = (long) row * blocks * BLOCK_BYTES;
        long base1 = base0 + (long) blocks * BLOCK_BYTES;
        FloatVector acc0 = FloatVector.zero(F);
        FloatVector acc1 = FloatVector.zero(F);
        for (int b = 0; b < blocks; b++) {
            long off0 = base0 + (long) b * BLOCK_BYTES;
            long off1 = base1 + (long) b * BLOCK_BYTES;
            float d0 = Float.float16ToFloat(data.get(ValueLayout.JAVA_SHORT_UNALIGNED, off0));
            float d1 = Float.float16ToFloat(data.get(ValueLayout.JAVA_SHORT_UNALIGNED, off1));
            int xi = xOff + b * BLOCK;
            FloatVector sum0 = FloatVector.zero(F);
            FloatVector sum1 = FloatVector.zero(F);
            for (int j = 0; j < BLOCK; j += B.length()) {
                ByteVector q0 = ByteVector.fromMemorySegment(B, data, off0 + 2 + j, ByteOrder.LITTLE_ENDIAN);
                ByteVector q1 = ByteVector.fromMemorySegment(B, data, off1 + 2 + j, ByteOrder.LITTLE_ENDIAN);
                for (int p = 0; p < B_PARTS; p++) {
                    FloatVector xv = FloatVector.fromArray(F, x, xi + j + p * L);
                    sum0 = ((FloatVector) q0.convertShape(VectorOperators.B2F, F, p)).fma(xv, sum0);
                    sum1 = ((FloatVector) q1.convertShape(VectorOperators.B2F, F, p)).fma(xv, sum1);
                }
            }
            acc0 = sum0.fma(FloatVector.broadcast(F, d0), acc0);
            acc1 = sum1.fma(FloatVector.broadcast(F, d1), acc1);
        }
        out[o] = acc0.reduceLanes(VectorOperators.ADD);
        out[o + 1] = acc1.reduceLanes(VectorOperators.ADD);
    }

    @Override
    public void dequantize(int row, int fromCol, int count, float[] dst, int dstOff) {
        long base = ((long) row * cols + fromCol) / BLOCK * BLOCK_BYTES;
        for (int b = 0; b < count / BLOCK; b++) {
            long off = base + (long) b * BLOCK_BYTES;
            float d = Float.float16ToFloat(data.get(ValueLayout.JAVA_SHORT_UNALIGNED, off));
            int o = dstOff + b * BLOCK;
            for (int j = 0; j < BLOCK; j += B.length()) {
                ByteVector q = ByteVector.fromMemorySegment(B, data, off + 2 + j, ByteOrder.LITTLE_ENDIAN);
                for (int p = 0; p < B_PARTS; p++) {
                    ((FloatVector) q.convertShape(VectorOperators.B2F, F, p)).mul(d).intoArray(dst, o + j + p * L);
                }
            }
        }
    }
}
