package dev.tangram.inference.kernels;

import static dev.tangram.inference.kernels.VectorShapes.F;
import static dev.tangram.inference.kernels.VectorShapes.L;

import dev.tangram.inference.gguf.GgmlType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.FloatVector;

/**
 * IEEE half-precision weights. The Vector API has no half-to-float conversion, so {@link #load} converts {@code L} halves
 * at once with integer and float lane operations ({@link HalfFloats}), exactly. Converting one element at a time, which
 * the JIT compiles to one scalar instruction each, decoded the 1b preset at 1.2-1.5 tokens/s on a 2-core AVX2 VM; this at
 * 3.5-5.0 (docs/inference-engine.md). {@link #dequantize} keeps the element-wise loop, which the JIT vectorises.
 */
public record F16Matrix(MemorySegment data, int rows, int cols) implements WeightMatrix {
    @Override
    public GgmlType type() {
        return GgmlType.F16;
    }

    /** {@code L} halves from byte {@code offset}, converted exactly ({@link HalfFloats}). */
    private FloatVector load(long offset) {
        return HalfFloats.load(data, offset);
    }

    private float scalar(long offset) {
        return Float.float16ToFloat(data.get(ValueLayout.JAVA_SHORT_UNALIGNED, offset));
    }

    /** Two accumulators, so that the conversion of one vector overlaps the multiply-add of the other. */
    @Override
    public float dot(int row, float[] x, int xOff) {
        long base = (long) row * cols * 2;
        FloatVector acc0 = FloatVector.zero(F);
        FloatVector acc1 = FloatVector.zero(F);
        int i = 0;
        for (int upper = cols - 2 * L; i <= upper; i += 2 * L) {
            acc0 = load(base + 2L * i).fma(FloatVector.fromArray(F, x, xOff + i), acc0);
            acc1 = load(base + 2L * (i + L)).fma(FloatVector.fromArray(F, x, xOff + i + L), acc1);
        }
        for (int upper = F.loopBound(cols); i < upper; i += L) {
            acc0 = load(base + 2L * i).fma(FloatVector.fromArray(F, x, xOff + i), acc0);
        }
        float sum = VectorShapes.sum(acc0.add(acc1));
        for (; i < cols; i++) {
            sum += scalar(base + 2L * i) * x[xOff + i];
        }
        return sum;
    }

    /**
     * One element at a time: C2 vectorises this loop itself, into the hardware's half-to-float conversion, which beats
     * {@link #load} (the 1b preset's batch of 16 on the 2-core AVX2 VM: 18.4-20.4 tokens/s through {@link #load},
     * 22.2-23.2 this way).
     */
    @Override
    public void dequantize(int row, int fromCol, int count, float[] dst, int dstOff) {
        long base = ((long) row * cols + fromCol) * 2;
        for (int i = 0; i < count; i++) {
            dst[dstOff + i] = scalar(base + 2L * i);
        }
    }
}
