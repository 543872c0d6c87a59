package dev.tangram.inference.kernels;

import static dev.tangram.inference.kernels.VectorShapes.B;
import static dev.tangram.inference.kernels.VectorShapes.F;
import static dev.tangram.inference.kernels.VectorShapes.I;
import static dev.tangram.inference.kernels.VectorShapes.L;
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
 * Q4_K weights with rows in lanes ({@link LaneGroupMatrix}). Per group and 256-column super-block: the rows' float16
 * {@code d}, then their float16 {@code dmin} ({@code GROUP} each), eight runs of {@code GROUP} bytes with the eight
 * sub-blocks' 6-bit scales, eight runs with their 6-bit mins (unpacked from the file's twelve bytes: 148 bytes per row
 * and super-block instead of 144), then each 32-column sub-block as Q4_0's lanes keep a block: 16 runs of {@code GROUP}
 * bytes, run {@code j} holding column {@code j} in the low nibble and column {@code j + 16} in the high one. Element
 * value {@code q * (d * scale) - dmin * min}, as {@link Q4KMatrix} decodes it. Its products call no helper that returns
 * a vector: one the JIT has compiled on its own first is then too large to inline, and the vectors it returns are boxed
 * (the decode steps ran at half speed that way).
 */
public record Q4KLaneMatrix(MemorySegment data, int rows, int cols) implements KQuantLaneMatrix {
    /** Bytes per row and super-block. */
    static final int ROW_BYTES = 148;
    /** Bytes of one group's super-block. */
    static final int GROUP_SUPER_BYTES = GROUP * ROW_BYTES;
    private static final int DMIN = 2 * GROUP;
    private static final int SCALES = 4 * GROUP;
    private static final int MINS = 12 * GROUP;
    private static final int QUANTS = 20 * GROUP;
    /** Bytes of one sub-block's quants in a group: 16 runs. */
    private static final int SUB_BYTES = 16 * GROUP;
    private static final int SUBS = KQuantMatrix.SUPER_BLOCK / BLOCK;

    @Override
    public GgmlType type() {
        return GgmlType.Q4_K;
    }

    /**
     * Rows {@code [g * GROUP, (g + 1) * GROUP)} dotted with {@code x[xOff .. xOff + cols)}: per sub-block, four running
     * sums of the nibbles times the token's values, then {@code Σ q·x · (d·scale) − (dmin·min) · Σ x}, so that no weight
     * is decoded to its value on the way.
     */
    @Override
    public void dotGroup(int g, float[] x, int xOff, float[] out, int o) {
        int supers = cols / KQuantMatrix.SUPER_BLOCK;
        long base = (long) g * supers * GROUP_SUPER_BYTES;
        FloatVector acc = FloatVector.zero(F);
        for (int sb = 0; sb < supers; sb++) {
            long h = base + (long) sb * GROUP_SUPER_BYTES;
            FloatVector d = HalfFloats.load(data, h);
            FloatVector dmin = HalfFloats.load(data, h + DMIN);
            for (int s = 0; s < SUBS; s++) {
                long q = h + QUANTS + (long) s * SUB_BYTES;
                int xi = xOff + sb * KQuantMatrix.SUPER_BLOCK + s * BLOCK;
                FloatVector s0 = FloatVector.zero(F);
                FloatVector s1 = FloatVector.zero(F);
                FloatVector s2 = FloatVector.zero(F);
                FloatVector s3 = FloatVector.zero(F);
                for (int j = 0; j < 16; j += 2) {
                    IntVector q0 = (IntVector) ByteVector.fromMemorySegment(B, data, q + (long) j * GROUP, ByteOrder.LITTLE_ENDIAN)
                            .convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
                    IntVector q1 = (IntVector) ByteVector.fromMemorySegment(B, data, q + (long) (j + 1) * GROUP, ByteOrder.LITTLE_ENDIAN)
                            .convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
                    s0 = ((FloatVector) q0.and(0x0F).convert(VectorOperators.I2F, 0)).fma(FloatVector.broadcast(F, x[xi + j]), s0);
                    s1 = ((FloatVector) q0.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0))
                            .fma(FloatVector.broadcast(F, x[xi + j + 16]), s1);
                    s2 = ((FloatVector) q1.and(0x0F).convert(VectorOperators.I2F, 0)).fma(FloatVector.broadcast(F, x[xi + j + 1]), s2);
                    s3 = ((FloatVector) q1.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0))
                            .fma(FloatVector.broadcast(F, x[xi + j + 17]), s3);
                }
                FloatVector xs = FloatVector.fromArray(F, x, xi);
                for (int k = L; k < BLOCK; k += L) {
                    xs = xs.add(FloatVector.fromArray(F, x, xi + k));
                }
                float sumX = VectorShapes.sum(xs); // not reduceLanes: its bits change when C2 compiles it (StableMath)
                FloatVector scale = (FloatVector) ByteVector.fromMemorySegment(B, data, h + SCALES + (long) s * GROUP, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0).convert(VectorOperators.I2F, 0);
                FloatVector min = (FloatVector) ByteVector.fromMemorySegment(B, data, h + MINS + (long) s * GROUP, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0).convert(VectorOperators.I2F, 0);
                acc = s0.add(s1).add(s2.add(s3)).fma(d.mul(scale), acc);
                acc = dmin.mul(min).fma(FloatVector.broadcast(F, -sumX), acc);
            }
        }
        acc.intoArray(out, o);
    }

    /**
     * Group {@code g} times token {@code t} of the tile of {@code w} tokens from {@code t0} of activations rounded to 8
     * bits ({@link Int8Activations}), results to {@code out[o ..]}, as
     * {@link Q4LaneMatrix#dotGroup(int, Int8Activations, int, float[], int)} multiplies Q4_0: a sub-block's sixteen low
     * (and sixteen high) nibble-by-level products add up in short lanes exactly (at most 16 × 15 × 127 = 30,480), and
     * only the sums are widened, converted and scaled: {@code Σ q·level · s · (d·scale) − (dmin·min) · Σ level · s},
     * {@code s} the block's level scale. One token is the tile of one from 0.
     */
    @Override
    public void dotGroup(int g, Int8Activations x, int t0, int w, int t, float[] out, int o) {
        short[] levels = x.levels();
        int[] offsets = x.offsets();
        float[] steps = x.scales();
        int supers = cols / KQuantMatrix.SUPER_BLOCK;
        int blocks = cols / BLOCK;
        long base = (long) g * supers * GROUP_SUPER_BYTES;
        FloatVector acc = FloatVector.zero(F);
        for (int sb = 0; sb < supers; sb++) {
            long h = base + (long) sb * GROUP_SUPER_BYTES;
            FloatVector d = HalfFloats.load(data, h);
            FloatVector dmin = HalfFloats.load(data, h + DMIN);
            for (int s = 0; s < SUBS; s++) {
                long q = h + QUANTS + (long) s * SUB_BYTES;
                int b = sb * SUBS + s;
                int lo = t0 * cols + b * BLOCK * w + t;
                int hi = lo + 16 * w;
                ShortVector l0 = ShortVector.zero(S);
                ShortVector h0 = ShortVector.zero(S);
                for (int j = 0; j < 16; j++, lo += w, hi += w) {
                    ShortVector v = (ShortVector) ByteVector.fromMemorySegment(B, data, q + (long) j * GROUP, ByteOrder.LITTLE_ENDIAN)
                            .convertShape(VectorOperators.ZERO_EXTEND_B2S, S, 0);
                    l0 = l0.add(v.and((short) 0x0F).mul(levels[lo]));
                    h0 = h0.add(v.lanewise(VectorOperators.LSHR, 4).mul(levels[hi]));
                }
                IntVector i0 = (IntVector) l0.convertShape(VectorOperators.S2I, I, 0);
                i0 = i0.add((IntVector) h0.convertShape(VectorOperators.S2I, I, 0));
                FloatVector scale = (FloatVector) ByteVector.fromMemorySegment(B, data, h + SCALES + (long) s * GROUP, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0).convert(VectorOperators.I2F, 0);
                FloatVector min = (FloatVector) ByteVector.fromMemorySegment(B, data, h + MINS + (long) s * GROUP, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0).convert(VectorOperators.I2F, 0);
                int k = t0 * blocks + b * w + t;
                float step = steps[k];
                acc = ((FloatVector) i0.convert(VectorOperators.I2F, 0)).mul(step).fma(d.mul(scale), acc);
                // offsets hold 8 × Σ level (Q4_0's nibble offset); the mins take Σ level itself
                acc = dmin.mul(min).fma(FloatVector.broadcast(F, -(offsets[k] / 8) * step), acc);
            }
        }
        acc.intoArray(out, o);
    }

    /**
     * As {@link #dotGroup(int, Int8Activations, int, int, int, float[], int)}, for the tile of four tokens from
     * {@code t0}: each run's nibbles are widened once for the four tokens' products, token {@code t}'s results to
     * {@code out[o + t * stride ..]}.
     */
    public void dotGroup4(int g, Int8Activations x, int t0, float[] out, int o, int stride) {
        short[] levels = x.levels();
        int[] offsets = x.offsets();
        float[] steps = x.scales();
        int supers = cols / KQuantMatrix.SUPER_BLOCK;
        int blocks = cols / BLOCK;
        long base = (long) g * supers * GROUP_SUPER_BYTES;
        FloatVector a0 = FloatVector.zero(F);
        FloatVector a1 = FloatVector.zero(F);
        FloatVector a2 = FloatVector.zero(F);
        FloatVector a3 = FloatVector.zero(F);
        for (int sb = 0; sb < supers; sb++) {
            long h = base + (long) sb * GROUP_SUPER_BYTES;
            FloatVector d = HalfFloats.load(data, h);
            FloatVector dmin = HalfFloats.load(data, h + DMIN);
            for (int s = 0; s < SUBS; s++) {
                long q = h + QUANTS + (long) s * SUB_BYTES;
                int b = sb * SUBS + s;
                int lo = t0 * cols + 4 * b * BLOCK;
                int hi = lo + 4 * 16;
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
                FloatVector scale = d.mul((FloatVector) ByteVector.fromMemorySegment(B, data, h + SCALES + (long) s * GROUP, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0).convert(VectorOperators.I2F, 0));
                FloatVector min = dmin.mul((FloatVector) ByteVector.fromMemorySegment(B, data, h + MINS + (long) s * GROUP, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0).convert(VectorOperators.I2F, 0));
                int k = t0 * blocks + 4 * b;
                IntVector i0 = (IntVector) l0.convertShape(VectorOperators.S2I, I, 0);
                i0 = i0.add((IntVector) h0.convertShape(VectorOperators.S2I, I, 0));
                a0 = ((FloatVector) i0.convert(VectorOperators.I2F, 0)).mul(steps[k]).fma(scale, a0);
                a0 = min.fma(FloatVector.broadcast(F, -(offsets[k] / 8) * steps[k]), a0);
                IntVector i1 = (IntVector) l1.convertShape(VectorOperators.S2I, I, 0);
                i1 = i1.add((IntVector) h1.convertShape(VectorOperators.S2I, I, 0));
                a1 = ((FloatVector) i1.convert(VectorOperators.I2F, 0)).mul(steps[k + 1]).fma(scale, a1);
                a1 = min.fma(FloatVector.broadcast(F, -(offsets[k + 1] / 8) * steps[k + 1]), a1);
                IntVector i2 = (IntVector) l2.convertShape(VectorOperators.S2I, I, 0);
                i2 = i2.add((IntVector) h2.convertShape(VectorOperators.S2I, I, 0));
                a2 = ((FloatVector) i2.convert(VectorOperators.I2F, 0)).mul(steps[k + 2]).fma(scale, a2);
                a2 = min.fma(FloatVector.broadcast(F, -(offsets[k + 2] / 8) * steps[k + 2]), a2);
                IntVector i3 = (IntVector) l3.convertShape(VectorOperators.S2I, I, 0);
                i3 = i3.add((IntVector) h3.convertShape(VectorOperators.S2I, I, 0));
                a3 = ((FloatVector) i3.convert(VectorOperators.I2F, 0)).mul(steps[k + 3]).fma(scale, a3);
                a3 = min.fma(FloatVector.broadcast(F, -(offsets[k + 3] / 8) * steps[k + 3]), a3);
            }
        }
        a0.intoArray(out, o);
        a1.intoArray(out, o + stride);
        a2.intoArray(out, o + 2 * stride);
        a3.intoArray(out, o + 3 * stride);
    }

    /**
     * As {@link #dotGroup4}, for tokens {@code t} and {@code t + 1} of the tile of {@code w} from {@code t0} (a decode
     * step's last two or three), their results to {@code out[o ..]} and {@code out[o + stride ..]}.
     */
    @Override
    public void dotGroup2(int g, Int8Activations x, int t0, int w, int t, float[] out, int o, int stride) {
        short[] levels = x.levels();
        int[] offsets = x.offsets();
        float[] steps = x.scales();
        int supers = cols / KQuantMatrix.SUPER_BLOCK;
        int blocks = cols / BLOCK;
        long base = (long) g * supers * GROUP_SUPER_BYTES;
        FloatVector a0 = FloatVector.zero(F);
        FloatVector a1 = FloatVector.zero(F);
        for (int sb = 0; sb < supers; sb++) {
            long h = base + (long) sb * GROUP_SUPER_BYTES;
            FloatVector d = HalfFloats.load(data, h);
            FloatVector dmin = HalfFloats.load(data, h + DMIN);
            for (int s = 0; s < SUBS; s++) {
                long q = h + QUANTS + (long) s * SUB_BYTES;
                int b = sb * SUBS + s;
                int lo = t0 * cols + b * BLOCK * w + t;
                int hi = lo + 16 * w;
                ShortVector l0 = ShortVector.zero(S);
                ShortVector h0 = ShortVector.zero(S);
                ShortVector l1 = ShortVector.zero(S);
                ShortVector h1 = ShortVector.zero(S);
                for (int j = 0; j < 16; j++, lo += w, hi += w) {
                    ShortVector v = (ShortVector) ByteVector.fromMemorySegment(B, data, q + (long) j * GROUP, ByteOrder.LITTLE_ENDIAN)
                            .convertShape(VectorOperators.ZERO_EXTEND_B2S, S, 0);
                    ShortVector wl = v.and((short) 0x0F);
                    ShortVector wh = v.lanewise(VectorOperators.LSHR, 4);
                    l0 = l0.add(wl.mul(levels[lo]));
                    l1 = l1.add(wl.mul(levels[lo + 1]));
                    h0 = h0.add(wh.mul(levels[hi]));
                    h1 = h1.add(wh.mul(levels[hi + 1]));
                }
                FloatVector scale = d.mul((FloatVector) ByteVector.fromMemorySegment(B, data, h + SCALES + (long) s * GROUP, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0).convert(VectorOperators.I2F, 0));
                FloatVector min = dmin.mul((FloatVector) ByteVector.fromMemorySegment(B, data, h + MINS + (long) s * GROUP, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0).convert(VectorOperators.I2F, 0));
                int k = t0 * blocks + b * w + t;
                IntVector i0 = (IntVector) l0.convertShape(VectorOperators.S2I, I, 0);
                i0 = i0.add((IntVector) h0.convertShape(VectorOperators.S2I, I, 0));
                a0 = ((FloatVector) i0.convert(VectorOperators.I2F, 0)).mul(steps[k]).fma(scale, a0);
                a0 = min.fma(FloatVector.broadcast(F, -(offsets[k] / 8) * steps[k]), a0);
                IntVector i1 = (IntVector) l1.convertShape(VectorOperators.S2I, I, 0);
                i1 = i1.add((IntVector) h1.convertShape(VectorOperators.S2I, I, 0));
                a1 = ((FloatVector) i1.convert(VectorOperators.I2F, 0)).mul(steps[k + 1]).fma(scale, a1);
                a1 = min.fma(FloatVector.broadcast(F, -(offsets[k + 1] / 8) * steps[k + 1]), a1);
            }
        }
        a0.intoArray(out, o);
        a1.intoArray(out, o + stride);
    }

    /** Decodes as {@code q * (d * scale) + -(dmin * min)}, one rounding, as {@link Q4KMatrix} does. */
    @Override
    public void decodeGroup(int g, int c0, int n, float[] dst, int dOff) {
        long base = (long) g * (cols / KQuantMatrix.SUPER_BLOCK) * GROUP_SUPER_BYTES;
        for (int b = c0 / BLOCK, o = dOff; b < (c0 + n) / BLOCK; b++, o += BLOCK * GROUP) {
            long h = base + (long) (b / SUBS) * GROUP_SUPER_BYTES;
            int s = b % SUBS;
            FloatVector scale = HalfFloats.load(data, h).mul((FloatVector) ByteVector.fromMemorySegment(B, data, h + SCALES + (long) s * GROUP,
                    ByteOrder.LITTLE_ENDIAN).convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0).convert(VectorOperators.I2F, 0));
            FloatVector bias = HalfFloats.load(data, h + DMIN).mul((FloatVector) ByteVector.fromMemorySegment(B, data, h + MINS + (long) s * GROUP,
                    ByteOrder.LITTLE_ENDIAN).convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0).convert(VectorOperators.I2F, 0)).neg();
            long q = h + QUANTS + (long) s * SUB_BYTES;
            for (int j = 0; j < 16; j++) {
                IntVector v = (IntVector) ByteVector.fromMemorySegment(B, data, q + (long) j * GROUP, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
                ((FloatVector) v.and(0x0F).convert(VectorOperators.I2F, 0)).fma(scale, bias).intoArray(dst, o + j * GROUP);
                ((FloatVector) v.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0)).fma(scale, bias)
                        .intoArray(dst, o + (j + 16) * GROUP);
            }
        }
    }

    @Override
    public void dequantize(int row, int fromCol, int count, float[] dst, int dstOff) {
        int lane = row % GROUP;
        long base = (long) (row / GROUP) * (cols / KQuantMatrix.SUPER_BLOCK) * GROUP_SUPER_BYTES;
        for (int i = 0; i < count; i++) {
            int c = fromCol + i;
            long h = base + (long) (c / KQuantMatrix.SUPER_BLOCK) * GROUP_SUPER_BYTES;
            int s = c % KQuantMatrix.SUPER_BLOCK / BLOCK;
            int j = c % BLOCK;
            float d = Float.float16ToFloat(data.get(ValueLayout.JAVA_SHORT_UNALIGNED, h + 2L * lane));
            float dmin = Float.float16ToFloat(data.get(ValueLayout.JAVA_SHORT_UNALIGNED, h + DMIN + 2L * lane));
            int scale = u8(h + SCALES + (long) s * GROUP + lane);
            int min = u8(h + MINS + (long) s * GROUP + lane);
            int q = u8(h + QUANTS + (long) s * SUB_BYTES + (long) (j % 16) * GROUP + lane);
            dst[dstOff + i] = Math.fma(j < 16 ? q & 0x0F : q >>> 4, d * scale, -(dmin * min));
        }
    }

    /** Groups {@code [from, to)} of Q4_K matrix {@code file} as lanes, into {@code dst} ({@link LaneLayout#rearrangeBlocks}). */
    static void rearrange(WeightMatrix file, MemorySegment dst, int from, int to) {
        int fileBytes = GgmlType.Q4_K.blockBytes();
        LaneLayout.rearrangeBlocks(file, KQuantMatrix.SUPER_BLOCK, fileBytes, GROUP_SUPER_BYTES, dst, from, to, (in, out) -> {
            MemorySegment rowsIn = MemorySegment.ofArray(in);
            for (int lane = 0; lane < GROUP; lane++) {
                int r = lane * fileBytes;
                System.arraycopy(in, r, out, 2 * lane, 2);
                System.arraycopy(in, r + 2, out, DMIN + 2 * lane, 2);
                int qs = r + 4 + KQuantScales.BYTES;
                for (int s = 0; s < SUBS; s++) {
                    out[SCALES + s * GROUP + lane] = (byte) KQuantScales.scale(rowsIn, r + 4, s);
                    out[MINS + s * GROUP + lane] = (byte) KQuantScales.min(rowsIn, r + 4, s);
                    // sub-blocks 2i and 2i + 1 share the file's bytes 32i .. 32i + 31: low nibbles, then high ones
                    int shift = s % 2 == 0 ? 0 : 4;
                    for (int j = 0; j < 16; j++) {
                        int lo = (in[qs + 32 * (s / 2) + j] >> shift) & 0x0F;
                        int hi = (in[qs + 32 * (s / 2) + j + 16] >> shift) & 0x0F;
                        out[QUANTS + s * SUB_BYTES + j * GROUP + lane] = (byte) (lo | hi << 4);
                    }
                }
            }
        });
    }

    private int u8(long at) {
        return data.get(ValueLayout.JAVA_BYTE, at) & 0xFF;
    }
}
