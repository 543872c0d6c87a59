package dev.tangram.inference.kernels;

import dev.tangram.inference.gguf.GgmlType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** IEEE half-precision weights (converted with {@link Float#float16ToFloat}, which the JIT turns into one instruction). */
public record F16Matrix(MemorySegment data, int rows, int cols) implements WeightMatrix {
    @Override
    public GgmlType type() {
        return GgmlType.F16;
    }

    @Override
    public float dot(int row, float[] x, int xOff) {
        long base = (long) row * cols * 2;
        float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int i = 0;
        for (; i + 4 <= cols; i += 4) {
            long o = base + 2L * i;
            s0 += Float.float16ToFloat(data.get(ValueLayout.JAVA_SHORT_UNALIGNED, o)) * x[xOff + i];
            s1 += Float.float16ToFloat(data.get(ValueLayout.JAVA_SHORT_UNALIGNED, o + 2)) * x[xOff + i + 1];
            s2 += Float.float16ToFloat(data.get(ValueLayout.JAVA_SHORT_UNALIGNED, o + 4)) * x[xOff + i + 2];
            s3 += Float.float16ToFloat(data.get(ValueLayout.JAVA_SHORT_UNALIGNED, o + 6)) * x[xOff + i + 3];
        }
        for (; i < cols; i++) {
            s0 += Float.float16ToFloat(data.get(ValueLayout.JAVA_SHORT_UNALIGNED, base + 2L * i)) * x[xOff + i];
        }
        return (s0 + s1) + (s2 + s3);
    }

    @Override
    public void dequantize(int row, int fromCol, int count, float[] dst, int dstOff) {
        long base = ((long) row * cols + fromCol) * 2;
        for (int i = 0; i < count; i++) {
            dst[dstOff + i] = Float.float16ToFloat(data.get(ValueLayout.JAVA_SHORT_UNALIGNED, base + 2L * i));
        }
    }
}
