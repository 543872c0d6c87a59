package dev.tangram.inference.kernels;

import static dev.tangram.inference.kernels.VectorShapes.B;
import static dev.tangram.inference.kernels.VectorShapes.B_LANES;
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

    /**
     * One row, a run of {@link ReadAhead#RUN_BLOCKS} blocks at a time, two blocks per step into two accumulators (so that
     * the scale multiply-adds do not wait on each other); before each run, the lines of the run {@link ReadAhead#distance()}
     * ahead are touched together ({@link ReadAhead#touchRun}).
     */
    @Override
    public float dot(int row, float[] x, int xOff) {
        int blocks = cols / BLOCK;
        long base = (long) row * blocks * BLOCK_BYTES;
        long lastByte = data.byteSize() - 1;
        FloatVector acc0 = FloatVector.zero(F);
        FloatVector acc1 = FloatVector.zero(F);
        int touched = 0;
        int b = 0;
        for (; b + ReadAhead.RUN_BLOCKS <= blocks; b += ReadAhead.RUN_BLOCKS) {
            long off = base + (long) b * BLOCK_BYTES;
            touched += ReadAhead.touchRun(data, off, ReadAhead.RUN_BLOCKS * BLOCK_BYTES, lastByte);
            for (int k = 0; k < ReadAhead.RUN_BLOCKS; k += 2) {
                acc0 = block(off + (long) k * BLOCK_BYTES, x, xOff + (b + k) * BLOCK, acc0);
                acc1 = block(off + (long) (k + 1) * BLOCK_BYTES, x, xOff + (b + k + 1) * BLOCK, acc1);
            }
        }
        for (; b + 1 < blocks; b += 2) {
            long off = base + (long) b * BLOCK_BYTES;
            touched += ReadAhead.touch(data, off, lastByte);
            acc0 = block(off, x, xOff + b * BLOCK, acc0);
            acc1 = block(off + BLOCK_BYTES, x, xOff + (b + 1) * BLOCK, acc1);
        }
        if (b < blocks) {
            acc0 = block(base + (long) b * BLOCK_BYTES, x, xOff + b * BLOCK, acc0);
        }
        ReadAhead.keep(touched);
        return VectorShapes.sum(acc0.add(acc1));
    }

    /**
     * {@code acc + d * (q · x[xi .. xi + 32))} for the block at byte {@code off}. The block's products are written out for
     * 16 float lanes (AVX-512) and for 8 (AVX2): every byte vector loaded, then widened, the first products plain
     * multiplies. The same arithmetic as a loop over the block's vectors, but the one-token kernel streamed Q8_0 ~12 %
     * faster with 16 lanes and ~25 % faster with 8 (docs/inference-engine.md). Each shape is a method of its own, so that
     * each stays small enough for the JIT to inline (a vector passed to a call that is not inlined is boxed).
     */
    private FloatVector block(long off, float[] x, int xi, FloatVector acc) {
        float d = Float.float16ToFloat(data.get(ValueLayout.JAVA_SHORT_UNALIGNED, off));
        FloatVector sum = L == 16 ? products16(off, x, xi) : L == 8 ? products8(off, x, xi) : products(off, x, xi);
        return sum.fma(FloatVector.broadcast(F, d), acc);
    }

    /** The block's 32 products summed into 16 lanes: two byte vectors. */
    private FloatVector products16(long off, float[] x, int xi) {
        ByteVector q0 = ByteVector.fromMemorySegment(B, data, off + 2, ByteOrder.LITTLE_ENDIAN);
        ByteVector q1 = ByteVector.fromMemorySegment(B, data, off + 18, ByteOrder.LITTLE_ENDIAN);
        FloatVector sum = ((FloatVector) q0.convertShape(VectorOperators.B2F, F, 0)).mul(FloatVector.fromArray(F, x, xi));
        return ((FloatVector) q1.convertShape(VectorOperators.B2F, F, 0)).fma(FloatVector.fromArray(F, x, xi + 16), sum);
    }

    /** The block's 32 products summed into 8 lanes: four byte vectors, in two chains of multiply-adds. */
    private FloatVector products8(long off, float[] x, int xi) {
        ByteVector q0 = ByteVector.fromMemorySegment(B, data, off + 2, ByteOrder.LITTLE_ENDIAN);
        ByteVector q1 = ByteVector.fromMemorySegment(B, data, off + 10, ByteOrder.LITTLE_ENDIAN);
        ByteVector q2 = ByteVector.fromMemorySegment(B, data, off + 18, ByteOrder.LITTLE_ENDIAN);
        ByteVector q3 = ByteVector.fromMemorySegment(B, data, off + 26, ByteOrder.LITTLE_ENDIAN);
        FloatVector s0 = ((FloatVector) q0.convertShape(VectorOperators.B2F, F, 0)).mul(FloatVector.fromArray(F, x, xi));
        FloatVector s1 = ((FloatVector) q1.convertShape(VectorOperators.B2F, F, 0)).mul(FloatVector.fromArray(F, x, xi + 8));
        s0 = ((FloatVector) q2.convertShape(VectorOperators.B2F, F, 0)).fma(FloatVector.fromArray(F, x, xi + 16), s0);
        s1 = ((FloatVector) q3.convertShape(VectorOperators.B2F, F, 0)).fma(FloatVector.fromArray(F, x, xi + 24), s1);
        return s0.add(s1);
    }

    /** The block's 32 products summed into L lanes, for any other vector length. */
    private FloatVector products(long off, float[] x, int xi) {
        FloatVector sum = FloatVector.zero(F);
        for (int j = 0; j < BLOCK; j += B_LANES) {
            ByteVector q = ByteVector.fromMemorySegment(B, data, off + 2 + j, ByteOrder.LITTLE_ENDIAN);
            for (int p = 0; p < B_PARTS; p++) {
                FloatVector w = (FloatVector) q.convertShape(VectorOperators.B2F, F, p);
                sum = w.fma(FloatVector.fromArray(F, x, xi + j + p * L), sum);
            }
        }
        return sum;
    }

    @Override
    public void dequantize(int row, int fromCol, int count, float[] dst, int dstOff) {
        long base = ((long) row * cols + fromCol) / BLOCK * BLOCK_BYTES;
        for (int b = 0; b < count / BLOCK; b++) {
            long off = base + (long) b * BLOCK_BYTES;
            float d = Float.float16ToFloat(data.get(ValueLayout.JAVA_SHORT_UNALIGNED, off));
            int o = dstOff + b * BLOCK;
            for (int j = 0; j < BLOCK; j += B_LANES) {
                ByteVector q = ByteVector.fromMemorySegment(B, data, off + 2 + j, ByteOrder.LITTLE_ENDIAN);
                for (int p = 0; p < B_PARTS; p++) {
                    ((FloatVector) q.convertShape(VectorOperators.B2F, F, p)).mul(d).intoArray(dst, o + j + p * L);
                }
            }
        }
    }
}
