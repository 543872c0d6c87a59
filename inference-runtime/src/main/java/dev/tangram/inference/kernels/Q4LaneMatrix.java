package dev.tangram.inference.kernels;

import static dev.tangram.inference.kernels.VectorShapes.B;
import static dev.tangram.inference.kernels.VectorShapes.F;
import static dev.tangram.inference.kernels.VectorShapes.I;
import static dev.tangram.inference.kernels.VectorShapes.S;

import dev.tangram.inference.gguf.GgmlType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Q4_0 weights with rows in lanes ({@link LaneGroupMatrix}): per group and block of 32 columns, {@code GROUP} float16
 * scales, then 16 runs of {@code GROUP} bytes, run {@code j} holding byte {@code j} of every row's block (column
 * {@code j} in the low nibble, column {@code j + 16} in the high one, each stored as {@code q + 8}, as in the file).
 */
public record Q4LaneMatrix(MemorySegment data, int rows, int cols) implements LaneGroupMatrix {
    /** Bytes of one group's block: the file's 18 bytes per row and block. */
    static final int GROUP_BLOCK_BYTES = GROUP * Q4Matrix.BLOCK_BYTES;
    /** Where a group's block keeps its quants, after the scales. */
    private static final int QUANTS = 2 * GROUP;

    @Override
    public GgmlType type() {
        return GgmlType.Q4_0;
    }

    /**
     * Four running sums (two byte runs at a time, each run's low and high nibbles), each block's sums scaled by the
     * group's scales in one multiply-add. The nibbles are split in int lanes, where x86 has shifts.
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
            for (int j = 0; j < 16; j += 2) {
                IntVector q0 = bytes(q, j);
                IntVector q1 = bytes(q, j + 1);
                s0 = low(q0).fma(FloatVector.broadcast(F, x[xi + j]), s0);
                s1 = high(q0).fma(FloatVector.broadcast(F, x[xi + j + 16]), s1);
                s2 = low(q1).fma(FloatVector.broadcast(F, x[xi + j + 1]), s2);
                s3 = high(q1).fma(FloatVector.broadcast(F, x[xi + j + 17]), s3);
            }
            acc = s0.add(s1).add(s2.add(s3)).fma(HalfFloats.load(data, q - QUANTS), acc);
        }
        acc.intoArray(out, o);
    }

    /**
     * Group {@code g} times one token's activations rounded to 8 bits ({@link Int8Activations}), the one-token product:
     * each byte run's nibbles, widened to short lanes, times the column's level is a product of at most 15 × 127, so the
     * sixteen of a block's low (or high) nibbles add up in short lanes exactly (at most 30,480); only the block's sum is
     * widened to ints, less 8 × the levels' sum (the nibbles' offset), converted, and scaled by the activations' and the
     * group's scales. No weight is converted to a float, which is where the float product spends its time.
     */
    public void dotGroup(int g, Int8Activations x, float[] out, int o) {
        short[] levels = x.levels();
        int[] offsets = x.offsets();
        float[] scales = x.scales();
        int blocks = cols / BLOCK;
        long base = (long) g * blocks * GROUP_BLOCK_BYTES;
        FloatVector acc = FloatVector.zero(F);
        for (int b = 0; b < blocks; b++) {
            long q = base + (long) b * GROUP_BLOCK_BYTES + QUANTS;
            int xi = b * BLOCK;
            ShortVector low = ShortVector.zero(S);
            ShortVector high = ShortVector.zero(S);
            for (int j = 0; j < 16; j++) {
                ShortVector v = (ShortVector) ByteVector.fromMemorySegment(B, data, q + (long) j * GROUP, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2S, S, 0);
                low = low.add(v.and((short) 0x0F).mul(levels[xi + j]));
                high = high.add(v.lanewise(VectorOperators.LSHR, 4).mul(levels[xi + j + 16]));
            }
            IntVector sum = widen(low).add(widen(high)).sub(offsets[b]);
            acc = ((FloatVector) sum.convert(VectorOperators.I2F, 0)).mul(scales[b]).fma(HalfFloats.load(data, q - QUANTS), acc);
        }
        acc.intoArray(out, o);
    }

    private static IntVector widen(ShortVector sums) {
        return (IntVector) sums.convertShape(VectorOperators.S2I, I, 0);
    }

    /**
     * Four tokens through group {@code g}: {@code x} holds their values interleaved from {@code xOff} (value {@code k} of
     * token {@code t} at {@code x[xOff + 4 * k + t]}), and token {@code t}'s results go to {@code out[o + t * stride ..]}.
     * Each byte run's nibbles are widened once for the four tokens' multiply-adds, in registers (no decoded copy), into
     * eight running sums (low and high nibbles apart, so that no sum waits on another's multiply-add); a block's sums are
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
            int lo = xOff + 4 * b * BLOCK;
            int hi = lo + 4 * 16;
            FloatVector l0 = FloatVector.zero(F);
            FloatVector l1 = FloatVector.zero(F);
            FloatVector l2 = FloatVector.zero(F);
            FloatVector l3 = FloatVector.zero(F);
            FloatVector h0 = FloatVector.zero(F);
            FloatVector h1 = FloatVector.zero(F);
            FloatVector h2 = FloatVector.zero(F);
            FloatVector h3 = FloatVector.zero(F);
            for (int j = 0; j < 16; j++, lo += 4, hi += 4) {
                IntVector v = bytes(q, j);
                FloatVector wl = low(v);
                FloatVector wh = high(v);
                l0 = wl.fma(FloatVector.broadcast(F, x[lo]), l0);
                l1 = wl.fma(FloatVector.broadcast(F, x[lo + 1]), l1);
                l2 = wl.fma(FloatVector.broadcast(F, x[lo + 2]), l2);
                l3 = wl.fma(FloatVector.broadcast(F, x[lo + 3]), l3);
                h0 = wh.fma(FloatVector.broadcast(F, x[hi]), h0);
                h1 = wh.fma(FloatVector.broadcast(F, x[hi + 1]), h1);
                h2 = wh.fma(FloatVector.broadcast(F, x[hi + 2]), h2);
                h3 = wh.fma(FloatVector.broadcast(F, x[hi + 3]), h3);
            }
            FloatVector scale = HalfFloats.load(data, q - QUANTS);
            a0 = l0.add(h0).fma(scale, a0);
            a1 = l1.add(h1).fma(scale, a1);
            a2 = l2.add(h2).fma(scale, a2);
            a3 = l3.add(h3).fma(scale, a3);
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
            int lo = xOff + 2 * b * BLOCK;
            int hi = lo + 2 * 16;
            FloatVector l0 = FloatVector.zero(F);
            FloatVector l1 = FloatVector.zero(F);
            FloatVector h0 = FloatVector.zero(F);
            FloatVector h1 = FloatVector.zero(F);
            for (int j = 0; j < 16; j++, lo += 2, hi += 2) {
                IntVector v = bytes(q, j);
                FloatVector wl = low(v);
                FloatVector wh = high(v);
                l0 = wl.fma(FloatVector.broadcast(F, x[lo]), l0);
                l1 = wl.fma(FloatVector.broadcast(F, x[lo + 1]), l1);
                h0 = wh.fma(FloatVector.broadcast(F, x[hi]), h0);
                h1 = wh.fma(FloatVector.broadcast(F, x[hi + 1]), h1);
            }
            FloatVector scale = HalfFloats.load(data, q - QUANTS);
            a0 = l0.add(h0).fma(scale, a0);
            a1 = l1.add(h1).fma(scale, a1);
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
            int lo = xOff + 3 * b * BLOCK;
            int hi = lo + 3 * 16;
            FloatVector l0 = FloatVector.zero(F);
            FloatVector l1 = FloatVector.zero(F);
            FloatVector l2 = FloatVector.zero(F);
            FloatVector h0 = FloatVector.zero(F);
            FloatVector h1 = FloatVector.zero(F);
            FloatVector h2 = FloatVector.zero(F);
            for (int j = 0; j < 16; j++, lo += 3, hi += 3) {
                IntVector v = bytes(q, j);
                FloatVector wl = low(v);
                FloatVector wh = high(v);
                l0 = wl.fma(FloatVector.broadcast(F, x[lo]), l0);
                l1 = wl.fma(FloatVector.broadcast(F, x[lo + 1]), l1);
                l2 = wl.fma(FloatVector.broadcast(F, x[lo + 2]), l2);
                h0 = wh.fma(FloatVector.broadcast(F, x[hi]), h0);
                h1 = wh.fma(FloatVector.broadcast(F, x[hi + 1]), h1);
                h2 = wh.fma(FloatVector.broadcast(F, x[hi + 2]), h2);
            }
            FloatVector scale = HalfFloats.load(data, q - QUANTS);
            a0 = l0.add(h0).fma(scale, a0);
            a1 = l1.add(h1).fma(scale, a1);
            a2 = l2.add(h2).fma(scale, a2);
        }
        a0.intoArray(out, o);
        a1.intoArray(out, o + stride);
        a2.intoArray(out, o + 2 * stride);
    }

    /** Byte run {@code j} of the block whose quants start at {@code q}, zero-extended to int lanes, one per row. */
    private IntVector bytes(long q, int j) {
        return (IntVector) ByteVector.fromMemorySegment(B, data, q + (long) j * GROUP, ByteOrder.LITTLE_ENDIAN)
                .convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
    }

    /** The low nibbles, less 8, as floats. */
    private static FloatVector low(IntVector bytes) {
        return (FloatVector) bytes.and(0x0F).sub(8).convert(VectorOperators.I2F, 0);
    }

    /** The high nibbles (zero-extended bytes need no mask), less 8, as floats. */
    private static FloatVector high(IntVector bytes) {
        return (FloatVector) bytes.lanewise(VectorOperators.LSHR, 4).sub(8).convert(VectorOperators.I2F, 0);
    }

    /** Decodes as {@code nibble * d + (-8 * d)}, one rounding, as {@link Q4Matrix#dequantize} does. */
    @Override
    public void decodeGroup(int g, int c0, int n, float[] dst, int dOff) {
        long base = (long) g * (cols / BLOCK) * GROUP_BLOCK_BYTES;
        for (int b = c0 / BLOCK, d = dOff; b < (c0 + n) / BLOCK; b++, d += BLOCK * GROUP) {
            long q = base + (long) b * GROUP_BLOCK_BYTES + QUANTS;
            FloatVector scale = HalfFloats.load(data, q - QUANTS);
            FloatVector bias = scale.mul(-8f);
            for (int j = 0; j < 16; j++) {
                IntVector v = bytes(q, j);
                ((FloatVector) v.and(0x0F).convert(VectorOperators.I2F, 0)).fma(scale, bias).intoArray(dst, d + j * GROUP);
                ((FloatVector) v.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0)).fma(scale, bias)
                        .intoArray(dst, d + (j + 16) * GROUP);
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
            int j = c % BLOCK;
            int q = data.get(ValueLayout.JAVA_BYTE, block + QUANTS + (long) (j % 16) * GROUP + lane) & 0xFF;
            dst[dstOff + i] = Math.fma(j < 16 ? q & 0x0F : q >>> 4, d, -8f * d);
        }
    }
}
