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
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;

/** bfloat16 weights: the upper 16 bits of a float32. */
public record Bf16Matrix(MemorySegment data, int rows, int cols) implements WeightMatrix {
    @Override
    public GgmlType type() {
        return GgmlType.BF16;
    }

    private FloatVector load(long offset) {
        ShortVector s = ShortVector.fromMemorySegment(S, data, offset, ByteOrder.LITTLE_ENDIAN);
        // bf16 -> f32 is "shift the 16 bits up". Multiplying by 65536 is the same shift modulo 2^32; JDK 25's C2 crashed
        // ("fatal error: LSHIFT: float" in VectorSupport::vop2ideal) compiling LSHL on a vector later reinterpreted as floats.
        return s.convertShape(VectorOperators.S2I, I, 0).lanewise(VectorOperators.MUL, 65536).reinterpretAsFloats();
    }

    private float scalar(long offset) {
        return Float.intBitsToFloat(data.get(ValueLayout.JAVA_SHORT_UNALIGNED, offset) << 16);
    }

    @Override
    public float dot(int row, float[] x, int xOff) {
        long base = (long) row * cols * 2;
        FloatVector acc = FloatVector.zero(F);
        int i = 0;
        for (int upper = F.loopBound(cols); i < upper; i += L) {
            acc = load(base + 2L * i).fma(FloatVector.fromArray(F, x, xOff + i), acc);
        }
        float sum = VectorShapes.sum(acc);
        for (; i < cols; i++) {
            sum += scalar(base + 2L * i) * x[xOff + i];
        }
        return sum;
    }

    @Override
    public void dequantize(int row, int fromCol, int count, float[] dst, int dstOff) {
        long base = ((long) row * cols + fromCol) * 2;
        int i = 0;
        for (int upper = F.loopBound(count); i < upper; i += L) {
            load(base + 2L * i).intoArray(dst, dstOff + i);
        }
        for (; i < count; i++) {
            dst[dstOff + i] = scalar(base + 2L * i);
        }
    }
}
