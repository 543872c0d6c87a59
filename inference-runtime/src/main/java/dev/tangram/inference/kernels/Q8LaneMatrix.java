package dev.tangram.inference.kernels;

import static dev.tangram.inference.kernels.VectorShapes.B;
import static dev.tangram.inference.kernels.VectorShapes.F;
import static dev.tangram.inference.kernels.VectorShapes.I;

import dev.tangram.inference.gguf.GgmlType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Q8_0 weights with rows in lanes ({@link LaneGroupMatrix}): per group and block of 32 columns, {@code GROUP} float16
 * scales, then 32 runs of {@code GROUP} signed bytes, run {@code k} holding column {@code k} of every row of the group.
 */
public record Q8LaneMatrix(MemorySegment data, int rows, int cols) implements FusedLaneMatrix {
    /** Bytes of one group's block: the file's 34 bytes per row and block. */
    static final int GROUP_BLOCK_BYTES = GROUP * Q8Matrix.BLOCK_BYTES;
    /** Where a group's block keeps its quants, after the scales. */
    private static final int QUANTS = 2 * GROUP;

    @Override
    public GgmlType type() {
        return GgmlType.Q8_0;
    }

    /**
     * Rows {@code [g * GROUP, (g + 1) * GROUP)} dotted with {@code x[xOff .. xOff + cols)}, written to {@code out[o ..]}.
     * Four running sums (a multiply-add's latency is four of its issue slots), each block's sums scaled by the group's
     * scales in one multiply-add.
     */
    @Override
    public void dotGroup(int g, float[] x, int xOff, float[] out, int o) {
        int blocks = cols / BLOCK;
        long base = (long) g * blocks * GROUP_BLOCK_BYTES;
        FloatVector acc = FloatVector.zero(F);
        for (int b = 0; b < blocks; b++) {
            long q = base + (long) b * GROUP_BLOCK_BYTES + QUANTS;
            int xi = xOff + b * BLOCK;
            FloatVector s0 = FloatVector.zero(F);
            FloatVector s1 = FloatVector.zero(F);
            FloatVector s2 = FloatVector.zero(F);
            FloatVector s3 = FloatVector.zero(F);
            for (int k = 0; k < BLOCK; k += 4) {
                s0 = quants(q, k).fma(FloatVector.broadcast(F, x[xi + k]), s0);
                s1 = quants(q, k + 1).fma(FloatVector.broadcast(F, x[xi + k + 1]), s1);
                s2 = quants(q, k + 2).fma(FloatVector.broadcast(F, x[xi + k + 2]), s2);
                s3 = quants(q, k + 3).fma(FloatVector.broadcast(F, x[xi + k + 3]), s3);
            }
            acc = s0.add(s1).add(s2.add(s3)).fma(HalfFloats.load(data, q - QUANTS), acc);
        }
        acc.intoArray(out, o);
    }

    /**
     * Four tokens through group {@code g}: {@code x} holds their values interleaved from {@code xOff} (value {@code k} of
     * token {@code t} at {@code x[xOff + 4 * k + t]}), and token {@code t}'s results go to {@code out[o + t * stride ..]}.
     * Each column's quants are widened once for the four tokens' multiply-adds, in registers (no decoded copy), into
     * eight running sums (even and odd columns apart, so that no sum waits on another's multiply-add); a block's sums are
     * scaled by the group's scales at its end.
     */
    @Override
    public void dotGroup4(int g, float[] x, int xOff, float[] out, int o, int stride) {
        int blocks = cols / BLOCK;
        long base = (long) g * blocks * GROUP_BLOCK_BYTES;
        FloatVector a0 = FloatVector.zero(F);
        FloatVector a1 = FloatVector.zero(F);
        FloatVector a2 = FloatVector.zero(F);
        FloatVector a3 = FloatVector.zero(F);
        for (int b = 0; b < blocks; b++) {
            long q = base + (long) b * GROUP_BLOCK_BYTES + QUANTS;
            int xi = xOff + 4 * b * BLOCK;
            FloatVector e0 = FloatVector.zero(F);
            FloatVector e1 = FloatVector.zero(F);
            FloatVector e2 = FloatVector.zero(F);
            FloatVector e3 = FloatVector.zero(F);
            FloatVector o0 = FloatVector.zero(F);
            FloatVector o1 = FloatVector.zero(F);
            FloatVector o2 = FloatVector.zero(F);
            FloatVector o3 = FloatVector.zero(F);
            for (int k = 0; k < BLOCK; k += 2, xi += 8) {
                FloatVector even = quants(q, k);
                FloatVector odd = quants(q, k + 1);
                e0 = even.fma(FloatVector.broadcast(F, x[xi]), e0);
                e1 = even.fma(FloatVector.broadcast(F, x[xi + 1]), e1);
                e2 = even.fma(FloatVector.broadcast(F, x[xi + 2]), e2);
                e3 = even.fma(FloatVector.broadcast(F, x[xi + 3]), e3);
                o0 = odd.fma(FloatVector.broadcast(F, x[xi + 4]), o0);
                o1 = odd.fma(FloatVector.broadcast(F, x[xi + 5]), o1);
                o2 = odd.fma(FloatVector.broadcast(F, x[xi + 6]), o2);
                o3 = odd.fma(FloatVector.broadcast(F, x[xi + 7]), o3);
            }
            FloatVector scale = HalfFloats.load(data, q - QUANTS);
            a0 = e0.add(o0).fma(scale, a0);
            a1 = e1.add(o1).fma(scale, a1);
            a2 = e2.add(o2).fma(scale, a2);
            a3 = e3.add(o3).fma(scale, a3);
        }
        a0.intoArray(out, o);
        a1.intoArray(out, o + stride);
        a2.intoArray(out, o + 2 * stride);
        a3.intoArray(out, o + 3 * stride);
    }

    /** As {@link #dotGroup4}, for two tokens (value {@code k} of token {@code t} at {@code x[xOff + 2 * k + t]}). */
    @Override
    public void dotGroup2(int g, float[] x, int xOff, float[] out, int o, int stride) {
        int blocks = cols / BLOCK;
        long base = (long) g * blocks * GROUP_BLOCK_BYTES;
        FloatVector a0 = FloatVector.zero(F);
        FloatVector a1 = FloatVector.zero(F);
        for (int b = 0; b < blocks; b++) {
            long q = base + (long) b * GROUP_BLOCK_BYTES + QUANTS;
            int xi = xOff + 2 * b * BLOCK;
            FloatVector e0 = FloatVector.zero(F);
            FloatVector e1 = FloatVector.zero(F);
            FloatVector o0 = FloatVector.zero(F);
            FloatVector o1 = FloatVector.zero(F);
            for (int k = 0; k < BLOCK; k += 2, xi += 4) {
                FloatVector even = quants(q, k);
                FloatVector odd = quants(q, k + 1);
                e0 = even.fma(FloatVector.broadcast(F, x[xi]), e0);
                e1 = even.fma(FloatVector.broadcast(F, x[xi + 1]), e1);
                o0 = odd.fma(FloatVector.broadcast(F, x[xi + 2]), o0);
                o1 = odd.fma(FloatVector.broadcast(F, x[xi + 3]), o1);
            }
            FloatVector scale = HalfFloats.load(data, q - QUANTS);
            a0 = e0.add(o0).fma(scale, a0);
            a1 = e1.add(o1).fma(scale, a1);
        }
        a0.intoArray(out, o);
        a1.intoArray(out, o + stride);
    }

    /** As {@link #dotGroup4}, for three tokens (value {@code k} of token {@code t} at {@code x[xOff + 3 * k + t]}). */
    @Override
    public void dotGroup3(int g, float[] x, int xOff, float[] out, int o, int stride) {
        int blocks = cols / BLOCK;
        long base = (long) g * blocks * GROUP_BLOCK_BYTES;
        FloatVector a0 = FloatVector.zero(F);
        FloatVector a1 = FloatVector.zero(F);
        FloatVector a2 = FloatVector.zero(F);
        for (int b = 0; b < blocks; b++) {
            long q = base + (long) b * GROUP_BLOCK_BYTES + QUANTS;
            int xi = xOff + 3 * b * BLOCK;
            FloatVector e0 = FloatVector.zero(F);
            FloatVector e1 = FloatVector.zero(F);
            FloatVector e2 = FloatVector.zero(F);
            FloatVector o0 = FloatVector.zero(F);
            FloatVector o1 = FloatVector.zero(F);
            FloatVector o2 = FloatVector.zero(F);
            for (int k = 0; k < BLOCK; k += 2, xi += 6) {
                FloatVector even = quants(q, k);
                FloatVector odd = quants(q, k + 1);
                e0 = even.fma(FloatVector.broadcast(F, x[xi]), e0);
                e1 = even.fma(FloatVector.broadcast(F, x[xi + 1]), e1);
                e2 = even.fma(FloatVector.broadcast(F, x[xi + 2]), e2);
                o0 = odd.fma(FloatVector.broadcast(F, x[xi + 3]), o0);
                o1 = odd.fma(FloatVector.broadcast(F, x[xi + 4]), o1);
                o2 = odd.fma(FloatVector.broadcast(F, x[xi + 5]), o2);
            }
            FloatVector scale = HalfFloats.load(data, q - QUANTS);
            a0 = e0.add(o0).fma(scale, a0);
            a1 = e1.add(o1).fma(scale, a1);
            a2 = e2.add(o2).fma(scale, a2);
        }
        a0.intoArray(out, o);
        a1.intoArray(out, o + stride);
        a2.intoArray(out, o + 2 * stride);
    }

    /** Column {@code k} of the block whose quants start at {@code q}, one lane per row, as floats. */
    private FloatVector quants(long q, int k) {
        return (FloatVector) ByteVector.fromMemorySegment(B, data, q + (long) k * GROUP, ByteOrder.LITTLE_ENDIAN)
                .convertShape(VectorOperators.B2I, I, 0).convert(VectorOperators.I2F, 0);
    }

    /** Each column's quants times the block's scales (as {@link #decodeGroup}), then eight multiply-adds per group. */
    @Override
    public void dotPair8(int g0, int g1, float[] x, int xOff, float[] out, int o0, int o1, int stride, int count) {
        int blocks = cols / BLOCK;
        long base0 = (long) g0 * blocks * GROUP_BLOCK_BYTES;
        long base1 = (long) g1 * blocks * GROUP_BLOCK_BYTES;
        FloatVector a0 = FloatVector.zero(F);
        FloatVector a1 = FloatVector.zero(F);
        FloatVector a2 = FloatVector.zero(F);
        FloatVector a3 = FloatVector.zero(F);
        FloatVector a4 = FloatVector.zero(F);
        FloatVector a5 = FloatVector.zero(F);
        FloatVector a6 = FloatVector.zero(F);
        FloatVector a7 = FloatVector.zero(F);
        FloatVector b0 = FloatVector.zero(F);
        FloatVector b1 = FloatVector.zero(F);
        FloatVector b2 = FloatVector.zero(F);
        FloatVector b3 = FloatVector.zero(F);
        FloatVector b4 = FloatVector.zero(F);
        FloatVector b5 = FloatVector.zero(F);
        FloatVector b6 = FloatVector.zero(F);
        FloatVector b7 = FloatVector.zero(F);
        for (int b = 0, xi = xOff; b < blocks; b++) {
            long q0 = base0 + (long) b * GROUP_BLOCK_BYTES + QUANTS;
            long q1 = base1 + (long) b * GROUP_BLOCK_BYTES + QUANTS;
            FloatVector s0 = HalfFloats.load(data, q0 - QUANTS);
            FloatVector s1 = HalfFloats.load(data, q1 - QUANTS);
            for (int k = 0; k < BLOCK; k++, xi += 8) {
                FloatVector v0 = ((FloatVector) ByteVector.fromMemorySegment(B, data, q0 + (long) k * GROUP, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.B2I, I, 0).convert(VectorOperators.I2F, 0)).mul(s0);
                FloatVector v1 = ((FloatVector) ByteVector.fromMemorySegment(B, data, q1 + (long) k * GROUP, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.B2I, I, 0).convert(VectorOperators.I2F, 0)).mul(s1);
                FloatVector x0 = FloatVector.broadcast(F, x[xi]);
                a0 = v0.fma(x0, a0);
                b0 = v1.fma(x0, b0);
                FloatVector x1 = FloatVector.broadcast(F, x[xi + 1]);
                a1 = v0.fma(x1, a1);
                b1 = v1.fma(x1, b1);
                FloatVector x2 = FloatVector.broadcast(F, x[xi + 2]);
                a2 = v0.fma(x2, a2);
                b2 = v1.fma(x2, b2);
                FloatVector x3 = FloatVector.broadcast(F, x[xi + 3]);
                a3 = v0.fma(x3, a3);
                b3 = v1.fma(x3, b3);
                FloatVector x4 = FloatVector.broadcast(F, x[xi + 4]);
                a4 = v0.fma(x4, a4);
                b4 = v1.fma(x4, b4);
                FloatVector x5 = FloatVector.broadcast(F, x[xi + 5]);
                a5 = v0.fma(x5, a5);
                b5 = v1.fma(x5, b5);
                FloatVector x6 = FloatVector.broadcast(F, x[xi + 6]);
                a6 = v0.fma(x6, a6);
                b6 = v1.fma(x6, b6);
                FloatVector x7 = FloatVector.broadcast(F, x[xi + 7]);
                a7 = v0.fma(x7, a7);
                b7 = v1.fma(x7, b7);
            }
        }
        a0.intoArray(out, o0);
        b0.intoArray(out, o1);
        if (count > 1) {
            a1.intoArray(out, o0 + stride);
            b1.intoArray(out, o1 + stride);
        }
        if (count > 2) {
            a2.intoArray(out, o0 + 2 * stride);
            b2.intoArray(out, o1 + 2 * stride);
        }
        if (count > 3) {
            a3.intoArray(out, o0 + 3 * stride);
            b3.intoArray(out, o1 + 3 * stride);
        }
        if (count > 4) {
            a4.intoArray(out, o0 + 4 * stride);
            b4.intoArray(out, o1 + 4 * stride);
        }
        if (count > 5) {
            a5.intoArray(out, o0 + 5 * stride);
            b5.intoArray(out, o1 + 5 * stride);
        }
        if (count > 6) {
            a6.intoArray(out, o0 + 6 * stride);
            b6.intoArray(out, o1 + 6 * stride);
        }
        if (count > 7) {
            a7.intoArray(out, o0 + 7 * stride);
            b7.intoArray(out, o1 + 7 * stride);
        }
    }

    @Override
    public void decodeGroup(int g, int c0, int n, float[] dst, int dOff) {
        long base = (long) g * (cols / BLOCK) * GROUP_BLOCK_BYTES;
        for (int b = c0 / BLOCK, d = dOff; b < (c0 + n) / BLOCK; b++) {
            long q = base + (long) b * GROUP_BLOCK_BYTES + QUANTS;
            FloatVector scale = HalfFloats.load(data, q - QUANTS);
            for (int k = 0; k < BLOCK; k++, d += GROUP) {
                quants(q, k).mul(scale).intoArray(dst, d);
            }
        }
    }

    @Override
    public void dequantize(int row, int fromCol, int count, float[] dst, int dstOff) {
        int lane = row % GROUP;
        long base = (long) (row / GROUP) * (cols / BLOCK) * GROUP_BLOCK_BYTES;
        for (int i = 0; i < count; i++) {
            int c = fromCol + i;
            long block = base + (long) (c / BLOCK) * GROUP_BLOCK_BYTES;
            float d = Float.float16ToFloat(data.get(ValueLayout.JAVA_SHORT_UNALIGNED, block + 2L * lane));
            dst[dstOff + i] = d * data.get(ValueLayout.JAVA_BYTE, block + QUANTS + (long) (c % BLOCK) * GROUP + lane);
        }
    }
}
