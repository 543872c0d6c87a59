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
public record Q4LaneMatrix(MemorySegment data, int rows, int cols) implements FusedLaneMatrix {
    /** Bytes of one group's block: the file's 18 bytes per row and block. */
    static final int GROUP_BLOCK_BYTES = GROUP * Q4Matrix.BLOCK_BYTES;
    /** Where a group's block keeps its quants, after the scales. */
    private static final int QUANTS = 2 * GROUP;

    @Override
    public GgmlType type() {
        return GgmlType.Q4_0;
    }

    /**
     * Group {@code g} times one token's activations rounded to 8 bits ({@link Int8Activations}; the tile of one token at
     * {@code t0}), results to {@code out[o ..]}. Each byte run's nibbles, widened to short lanes, times the column's
     * level is a product of at most 15 × 127, so a block's sixteen low (and sixteen high) nibbles' products add up in
     * short lanes exactly (at most 30,480 either way); only the block's sums are widened to ints, less 8 × the levels' sum
     * (the nibbles' offset), converted, and scaled by the activations' and the group's scales. No weight is converted
     * to a float, which is where a float product spends its time. These products call no helper of their own: the
     * four-token one is large enough that the JIT stops inlining calls by its size (only the Vector API's forced
     * inlining goes on), and a vector passed to a call that is not inlined is boxed (ten times slower, measured).
     */
    public void dotGroup(int g, Int8Activations x, int t0, float[] out, int o) {
        short[] levels = x.levels();
        int[] offsets = x.offsets();
        float[] scales = x.scales();
        int blocks = cols / BLOCK;
        long base = (long) g * blocks * GROUP_BLOCK_BYTES;
        FloatVector a0 = FloatVector.zero(F);
        for (int b = 0; b < blocks; b++) {
            long q = base + (long) b * GROUP_BLOCK_BYTES + QUANTS;
            int lo = t0 * cols + b * BLOCK;
            int hi = lo + 16;
            int s = t0 * blocks + b;
            ShortVector l0 = ShortVector.zero(S);
            ShortVector h0 = ShortVector.zero(S);
            for (int j = 0; j < 16; j++, lo++, hi++) {
                ShortVector v = (ShortVector) ByteVector.fromMemorySegment(B, data, q + (long) j * GROUP, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2S, S, 0);
                ShortVector wl = v.and((short) 0x0F);
                ShortVector wh = v.lanewise(VectorOperators.LSHR, 4);
                l0 = l0.add(wl.mul(levels[lo]));
                h0 = h0.add(wh.mul(levels[hi]));
            }
            FloatVector scale = HalfFloats.load(data, q - QUANTS);
            IntVector i0 = (IntVector) l0.convertShape(VectorOperators.S2I, I, 0);
            i0 = i0.add((IntVector) h0.convertShape(VectorOperators.S2I, I, 0)).sub(offsets[s]);
            a0 = ((FloatVector) i0.convert(VectorOperators.I2F, 0)).mul(scales[s]).fma(scale, a0);
        }
        a0.intoArray(out, o);
    }

    /**
     * As {@link #dotGroup}, for the tile of four tokens from {@code t0}: each byte run's nibbles are widened once for
     * the four tokens' products, token {@code t}'s results to {@code out[o + t * stride ..]}.
     */
    public void dotGroup4(int g, Int8Activations x, int t0, float[] out, int o, int stride) {
        short[] levels = x.levels();
        int[] offsets = x.offsets();
        float[] scales = x.scales();
        int blocks = cols / BLOCK;
        long base = (long) g * blocks * GROUP_BLOCK_BYTES;
        FloatVector a0 = FloatVector.zero(F);
        FloatVector a1 = FloatVector.zero(F);
        FloatVector a2 = FloatVector.zero(F);
        FloatVector a3 = FloatVector.zero(F);
        for (int b = 0; b < blocks; b++) {
            long q = base + (long) b * GROUP_BLOCK_BYTES + QUANTS;
            int lo = t0 * cols + 4 * b * BLOCK;
            int hi = lo + 4 * 16;
            int s = t0 * blocks + 4 * b;
            ShortVector l0 = ShortVector.zero(S);
            ShortVector h0 = ShortVector.zero(S);
            ShortVector l1 = ShortVector.zero(S);
            ShortVector h1 = ShortVector.zero(S);
            ShortVector l2 = ShortVector.zero(S);
            ShortVector h2 = ShortVector.zero(S);
            ShortVector l3 = ShortVector.zero(S);
            ShortVector h3 = ShortVector.zero(S);
            for (int j = 0; j < 16; j++, lo += 4, hi += 4) {
                ShortVector v = (ShortVector) ByteVector.fromMemorySegment(B, data, q + (long) j * GROUP, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2S, S, 0);
                ShortVector wl = v.and((short) 0x0F);
                ShortVector wh = v.lanewise(VectorOperators.LSHR, 4);
                l0 = l0.add(wl.mul(levels[lo]));
                l1 = l1.add(wl.mul(levels[lo + 1]));
                l2 = l2.add(wl.mul(levels[lo + 2]));
                l3 = l3.add(wl.mul(levels[lo + 3]));
                h0 = h0.add(wh.mul(levels[hi]));
                h1 = h1.add(wh.mul(levels[hi + 1]));
                h2 = h2.add(wh.mul(levels[hi + 2]));
                h3 = h3.add(wh.mul(levels[hi + 3]));
            }
            FloatVector scale = HalfFloats.load(data, q - QUANTS);
            IntVector i0 = (IntVector) l0.convertShape(VectorOperators.S2I, I, 0);
            i0 = i0.add((IntVector) h0.convertShape(VectorOperators.S2I, I, 0)).sub(offsets[s]);
            a0 = ((FloatVector) i0.convert(VectorOperators.I2F, 0)).mul(scales[s]).fma(scale, a0);
            IntVector i1 = (IntVector) l1.convertShape(VectorOperators.S2I, I, 0);
            i1 = i1.add((IntVector) h1.convertShape(VectorOperators.S2I, I, 0)).sub(offsets[s + 1]);
            a1 = ((FloatVector) i1.convert(VectorOperators.I2F, 0)).mul(scales[s + 1]).fma(scale, a1);
            IntVector i2 = (IntVector) l2.convertShape(VectorOperators.S2I, I, 0);
            i2 = i2.add((IntVector) h2.convertShape(VectorOperators.S2I, I, 0)).sub(offsets[s + 2]);
            a2 = ((FloatVector) i2.convert(VectorOperators.I2F, 0)).mul(scales[s + 2]).fma(scale, a2);
            IntVector i3 = (IntVector) l3.convertShape(VectorOperators.S2I, I, 0);
            i3 = i3.add((IntVector) h3.convertShape(VectorOperators.S2I, I, 0)).sub(offsets[s + 3]);
            a3 = ((FloatVector) i3.convert(VectorOperators.I2F, 0)).mul(scales[s + 3]).fma(scale, a3);
        }
        a0.intoArray(out, o);
        a1.intoArray(out, o + stride);
        a2.intoArray(out, o + 2 * stride);
        a3.intoArray(out, o + 3 * stride);
    }

    /** As {@link #dotGroup4}, for the tile of two tokens from {@code t0}. */
    public void dotGroup2(int g, Int8Activations x, int t0, float[] out, int o, int stride) {
        short[] levels = x.levels();
        int[] offsets = x.offsets();
        float[] scales = x.scales();
        int blocks = cols / BLOCK;
        long base = (long) g * blocks * GROUP_BLOCK_BYTES;
        FloatVector a0 = FloatVector.zero(F);
        FloatVector a1 = FloatVector.zero(F);
        for (int b = 0; b < blocks; b++) {
            long q = base + (long) b * GROUP_BLOCK_BYTES + QUANTS;
            int lo = t0 * cols + 2 * b * BLOCK;
            int hi = lo + 2 * 16;
            int s = t0 * blocks + 2 * b;
            ShortVector l0 = ShortVector.zero(S);
            ShortVector h0 = ShortVector.zero(S);
            ShortVector l1 = ShortVector.zero(S);
            ShortVector h1 = ShortVector.zero(S);
            for (int j = 0; j < 16; j++, lo += 2, hi += 2) {
                ShortVector v = (ShortVector) ByteVector.fromMemorySegment(B, data, q + (long) j * GROUP, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2S, S, 0);
                ShortVector wl = v.and((short) 0x0F);
                ShortVector wh = v.lanewise(VectorOperators.LSHR, 4);
                l0 = l0.add(wl.mul(levels[lo]));
                l1 = l1.add(wl.mul(levels[lo + 1]));
                h0 = h0.add(wh.mul(levels[hi]));
                h1 = h1.add(wh.mul(levels[hi + 1]));
            }
            FloatVector scale = HalfFloats.load(data, q - QUANTS);
            IntVector i0 = (IntVector) l0.convertShape(VectorOperators.S2I, I, 0);
            i0 = i0.add((IntVector) h0.convertShape(VectorOperators.S2I, I, 0)).sub(offsets[s]);
            a0 = ((FloatVector) i0.convert(VectorOperators.I2F, 0)).mul(scales[s]).fma(scale, a0);
            IntVector i1 = (IntVector) l1.convertShape(VectorOperators.S2I, I, 0);
            i1 = i1.add((IntVector) h1.convertShape(VectorOperators.S2I, I, 0)).sub(offsets[s + 1]);
            a1 = ((FloatVector) i1.convert(VectorOperators.I2F, 0)).mul(scales[s + 1]).fma(scale, a1);
        }
        a0.intoArray(out, o);
        a1.intoArray(out, o + stride);
    }

    /** As {@link #dotGroup4}, for the tile of three tokens from {@code t0}. */
    public void dotGroup3(int g, Int8Activations x, int t0, float[] out, int o, int stride) {
        short[] levels = x.levels();
        int[] offsets = x.offsets();
        float[] scales = x.scales();
        int blocks = cols / BLOCK;
        long base = (long) g * blocks * GROUP_BLOCK_BYTES;
        FloatVector a0 = FloatVector.zero(F);
        FloatVector a1 = FloatVector.zero(F);
        FloatVector a2 = FloatVector.zero(F);
        for (int b = 0; b < blocks; b++) {
            long q = base + (long) b * GROUP_BLOCK_BYTES + QUANTS;
            int lo = t0 * cols + 3 * b * BLOCK;
            int hi = lo + 3 * 16;
            int s = t0 * blocks + 3 * b;
            ShortVector l0 = ShortVector.zero(S);
            ShortVector h0 = ShortVector.zero(S);
            ShortVector l1 = ShortVector.zero(S);
            ShortVector h1 = ShortVector.zero(S);
            ShortVector l2 = ShortVector.zero(S);
            ShortVector h2 = ShortVector.zero(S);
            for (int j = 0; j < 16; j++, lo += 3, hi += 3) {
                ShortVector v = (ShortVector) ByteVector.fromMemorySegment(B, data, q + (long) j * GROUP, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2S, S, 0);
                ShortVector wl = v.and((short) 0x0F);
                ShortVector wh = v.lanewise(VectorOperators.LSHR, 4);
                l0 = l0.add(wl.mul(levels[lo]));
                l1 = l1.add(wl.mul(levels[lo + 1]));
                l2 = l2.add(wl.mul(levels[lo + 2]));
                h0 = h0.add(wh.mul(levels[hi]));
                h1 = h1.add(wh.mul(levels[hi + 1]));
                h2 = h2.add(wh.mul(levels[hi + 2]));
            }
            FloatVector scale = HalfFloats.load(data, q - QUANTS);
            IntVector i0 = (IntVector) l0.convertShape(VectorOperators.S2I, I, 0);
            i0 = i0.add((IntVector) h0.convertShape(VectorOperators.S2I, I, 0)).sub(offsets[s]);
            a0 = ((FloatVector) i0.convert(VectorOperators.I2F, 0)).mul(scales[s]).fma(scale, a0);
            IntVector i1 = (IntVector) l1.convertShape(VectorOperators.S2I, I, 0);
            i1 = i1.add((IntVector) h1.convertShape(VectorOperators.S2I, I, 0)).sub(offsets[s + 1]);
            a1 = ((FloatVector) i1.convert(VectorOperators.I2F, 0)).mul(scales[s + 1]).fma(scale, a1);
            IntVector i2 = (IntVector) l2.convertShape(VectorOperators.S2I, I, 0);
            i2 = i2.add((IntVector) h2.convertShape(VectorOperators.S2I, I, 0)).sub(offsets[s + 2]);
            a2 = ((FloatVector) i2.convert(VectorOperators.I2F, 0)).mul(scales[s + 2]).fma(scale, a2);
        }
        a0.intoArray(out, o);
        a1.intoArray(out, o + stride);
        a2.intoArray(out, o + 2 * stride);
    }

    /**
     * The float products, for machines whose float vectors are narrower than 512 bits
     * ({@link LanePaths#q4StepsInShorts}): there the short-lane products of several tokens cost more than
     * converting the nibbles to floats once for all of them. Given the values already rounded to 8 bits (as floats), they
     * multiply the same numbers as the short-lane products. This one: rows {@code [g * GROUP, (g + 1) * GROUP)} dotted
     * with {@code x[xOff .. xOff + cols)}, to {@code out[o ..]}, in four running sums (two byte runs at a time, each
     * run's low and high nibbles), each block's sums scaled by the group's scales in one multiply-add.
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
                IntVector q0 = (IntVector) ByteVector.fromMemorySegment(B, data, q + (long) j * GROUP, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
                IntVector q1 = (IntVector) ByteVector.fromMemorySegment(B, data, q + (long) (j + 1) * GROUP, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
                s0 = ((FloatVector) q0.and(0x0F).sub(8).convert(VectorOperators.I2F, 0))
                        .fma(FloatVector.broadcast(F, x[xi + j]), s0);
                s1 = ((FloatVector) q0.lanewise(VectorOperators.LSHR, 4).sub(8).convert(VectorOperators.I2F, 0))
                        .fma(FloatVector.broadcast(F, x[xi + j + 16]), s1);
                s2 = ((FloatVector) q1.and(0x0F).sub(8).convert(VectorOperators.I2F, 0))
                        .fma(FloatVector.broadcast(F, x[xi + j + 1]), s2);
                s3 = ((FloatVector) q1.lanewise(VectorOperators.LSHR, 4).sub(8).convert(VectorOperators.I2F, 0))
                        .fma(FloatVector.broadcast(F, x[xi + j + 17]), s3);
            }
            acc = s0.add(s1).add(s2.add(s3)).fma(HalfFloats.load(data, q - QUANTS), acc);
        }
        acc.intoArray(out, o);
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
                IntVector v = (IntVector) ByteVector.fromMemorySegment(B, data, q + (long) j * GROUP, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
                FloatVector wl = ((FloatVector) v.and(0x0F).sub(8).convert(VectorOperators.I2F, 0));
                FloatVector wh = ((FloatVector) v.lanewise(VectorOperators.LSHR, 4).sub(8).convert(VectorOperators.I2F, 0));
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
                IntVector v = (IntVector) ByteVector.fromMemorySegment(B, data, q + (long) j * GROUP, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
                FloatVector wl = ((FloatVector) v.and(0x0F).sub(8).convert(VectorOperators.I2F, 0));
                FloatVector wh = ((FloatVector) v.lanewise(VectorOperators.LSHR, 4).sub(8).convert(VectorOperators.I2F, 0));
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
                IntVector v = (IntVector) ByteVector.fromMemorySegment(B, data, q + (long) j * GROUP, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
                FloatVector wl = ((FloatVector) v.and(0x0F).sub(8).convert(VectorOperators.I2F, 0));
                FloatVector wh = ((FloatVector) v.lanewise(VectorOperators.LSHR, 4).sub(8).convert(VectorOperators.I2F, 0));
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

    /**
     * Each column's nibbles as {@link #decodeGroup} decodes them ({@code nibble * d + (-8 * d)}), the block's sixteen low
     * nibbles (its first 16 columns) and then its sixteen high ones (each run loaded twice, once for each), then eight
     * multiply-adds per group.
     */
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
            FloatVector d0 = s0.mul(-8f);
            FloatVector d1 = s1.mul(-8f);
            for (int k = 0; k < BLOCK; k++, xi += 8) {
                int shift = k < 16 ? 0 : 4;
                IntVector n0 = (IntVector) ByteVector.fromMemorySegment(B, data, q0 + (long) (k & 15) * GROUP, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
                IntVector n1 = (IntVector) ByteVector.fromMemorySegment(B, data, q1 + (long) (k & 15) * GROUP, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
                FloatVector v0 = ((FloatVector) n0.lanewise(VectorOperators.LSHR, shift).and(0x0F).convert(VectorOperators.I2F, 0)).fma(s0, d0);
                FloatVector v1 = ((FloatVector) n1.lanewise(VectorOperators.LSHR, shift).and(0x0F).convert(VectorOperators.I2F, 0)).fma(s1, d1);
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

    /** Decodes as {@code nibble * d + (-8 * d)}, one rounding, as {@link Q4Matrix#dequantize} does. */
    @Override
    public void decodeGroup(int g, int c0, int n, float[] dst, int dOff) {
        long base = (long) g * (cols / BLOCK) * GROUP_BLOCK_BYTES;
        for (int b = c0 / BLOCK, d = dOff; b < (c0 + n) / BLOCK; b++, d += BLOCK * GROUP) {
            long q = base + (long) b * GROUP_BLOCK_BYTES + QUANTS;
            FloatVector scale = HalfFloats.load(data, q - QUANTS);
            FloatVector bias = scale.mul(-8f);
            for (int j = 0; j < 16; j++) {
                IntVector v = (IntVector) ByteVector.fromMemorySegment(B, data, q + (long) j * GROUP, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
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
