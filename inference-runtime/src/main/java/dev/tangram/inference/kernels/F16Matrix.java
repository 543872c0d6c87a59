package dev.tangram.inference.kernels;

import static dev.tangram.inference.kernels.VectorShapes.F;
import static dev.tangram.inference.kernels.VectorShapes.I;
import static dev.tangram.inference.kernels.VectorShapes.L;
import static dev.tangram.inference.kernels.VectorShapes.S;

import dev.tangram.inference.gguf.GgmlType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;

/**
 * IEEE half-precision weights. The Vector API has no half-to-float conversion, so {@link #load} converts {@code L} halves
 * at once with integer and float lane operations, exactly ({@link Float#float16ToFloat}'s values, and a NaN for a
 * NaN): the magnitude's exponent and mantissa bits moved up to float32's places read as a float 2^112 times too
 * small, whatever the exponent, subnormals included (a power-of-two multiply is exact); infinities and NaNs then get
 * float32's all-ones exponent, and the sign bit is moved up. Converting one element at a time, which the JIT compiles to
 * one scalar instruction each, decoded the 1b preset at 1.2-1.5 tokens/s on a 2-core AVX2 VM; this at 3.5-5.0
 * (docs/inference-engine.md). {@link #dequantize} keeps the element-wise loop, which the JIT vectorises.
 */
public record F16Matrix(MemorySegment data, int rows, int cols) implements WeightMatrix {
    /** Bits of the half with exponent all ones (infinity), moved to float32's places: from here on, infinities and NaNs. */
    private static final int INF_OR_NAN = 0x7c00 << 13;

    @Override
    public GgmlType type() {
        return GgmlType.F16;
    }

    /**
     * {@code L} halves from byte {@code offset}. Shifts are written as multiplies (the same bits modulo 2^32): JDK 25's C2
     * fails on a lane shift whose result is later reinterpreted as floats (see {@link Bf16Matrix}).
     */
    private FloatVector load(long offset) {
        IntVector half = (IntVector) ShortVector.fromMemorySegment(S, data, offset, ByteOrder.LITTLE_ENDIAN)
                .convertShape(VectorOperators.S2I, I, 0);
        IntVector magnitude = half.and(0x7fff).lanewise(VectorOperators.MUL, 1 << 13);
        IntVector bits = magnitude.reinterpretAsFloats().mul(0x1p112f).reinterpretAsInts();
        bits = bits.lanewise(VectorOperators.OR, 0x7f80_0000, magnitude.compare(VectorOperators.GE, INF_OR_NAN));
        return bits.or(half.and(0x8000).lanewise(VectorOperators.MUL, 1 << 16)).reinterpretAsFloats();
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
