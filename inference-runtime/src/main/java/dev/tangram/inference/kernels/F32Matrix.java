package dev.tangram.inference.kernels;

import static dev.tangram.inference.kernels.VectorShapes.F;
import static dev.tangram.inference.kernels.VectorShapes.L;

import dev.tangram.inference.gguf.GgmlType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;

/** Float32 weights. */
public record F32Matrix(MemorySegment data, int rows, int cols) implements WeightMatrix {
    @Override
    public GgmlType type() {
        return GgmlType.F32;
    }

    @Override
    public float dot(int row, float[] x, int xOff) {
        long base = (long) row * cols * Float.BYTES;
        FloatVector acc = FloatVector.zero(F);
        int i = 0;
        for (int upper = F.loopBound(cols); i < upper; i += L) {
            FloatVector w = FloatVector.fromMemorySegment(F, data, base + (long) i * Float.BYTES, ByteOrder.LITTLE_ENDIAN);
            acc = w.fma(FloatVector.fromArray(F, x, xOff + i), acc);
        }
        float sum = VectorShapes.sum(acc);
        for (; i < cols; i++) {
            sum += data.get(ValueLayout.JAVA_FLOAT_UNALIGNED, base + (long) i * Float.BYTES) * x[xOff + i];
        }
        return sum;
    }

    @Override
    public void dequantize(int row, int fromCol, int count, float[] dst, int dstOff) {
        MemorySegment.copy(data, ValueLayout.JAVA_FLOAT_UNALIGNED, ((long) row * cols + fromCol) * Float.BYTES, dst, dstOff, count);
    }
}
