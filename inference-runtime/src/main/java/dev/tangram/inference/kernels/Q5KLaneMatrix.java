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
 * Q5_K weights with rows in lanes ({@link LaneGroupMatrix}), laid out as {@link Q4KLaneMatrix} lays out Q4_K, with each
 * 32-column sub-block's fifth bits after its 16 nibble runs: four runs of {@code GROUP} bytes, run {@code k} holding
 * the fifth bit of column {@code 8k + b} in bit {@code b} (180 bytes per row and super-block against the file's 176).
 * Element value {@code q * (d * scale) - dmin * min} with {@code q = nibble + 16 * fifth bit}, as {@link Q5KMatrix}
 * decodes it. A column's fifth bit, moved to bit 4, is {@code ((run << 4) >>> (column % 8)) & 16}: one shift and one
 * mask per column once a run is shifted. Its products call no helper that returns a vector ({@link Q4KLaneMatrix} says
 * why), and add at most eight {@code q · level} products (31 × 127 each) to a short sum.
 */
public record Q5KLaneMatrix(MemorySegment data, int rows, int cols) implements KQuantLaneMatrix {
    /** Bytes per row and super-block. */
    static final int ROW_BYTES = 180;
    /** Bytes of one group's super-block. */
    static final int GROUP_SUPER_BYTES = GROUP * ROW_BYTES;
    private static final int DMIN = 2 * GROUP;
    private static final int SCALES = 4 * GROUP;
    private static final int MINS = 12 * GROUP;
    private static final int QUANTS = 20 * GROUP;
    /** Bytes of one sub-block's quants in a group: 16 nibble runs, then 4 runs of fifth bits. */
    private static final int SUB_BYTES = 20 * GROUP;
    /** The run of a sub-block's first fifth bits. */
    private static final int HIGH = 16;
    private static final int SUBS = KQuantMatrix.SUPER_BLOCK / BLOCK;

    @Override
    public GgmlType type() {
        return GgmlType.Q5_K;
    }

    /**
     * Rows {@code [g * GROUP, (g + 1) * GROUP)} dotted with {@code x[xOff .. xOff + cols)}, in floats (the input as it
     * is, {@link Q4Activations#FLOAT}): per sub-block, two running sums of the 5-bit values times the token's values,
     * then {@code Σ q·x · (d·scale) − (dmin·min) · Σ x}.
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
                for (int half = 0; half < 2; half++) {
                    IntVector fifthLo = ((IntVector) ByteVector.fromMemorySegment(B, data, q + (long) (HIGH + half) * GROUP, ByteOrder.LITTLE_ENDIAN)
                            .convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0)).lanewise(VectorOperators.LSHL, 4);
                    IntVector fifthHi = ((IntVector) ByteVector.fromMemorySegment(B, data, q + (long) (HIGH + 2 + half) * GROUP,
                            ByteOrder.LITTLE_ENDIAN).convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0)).lanewise(VectorOperators.LSHL, 4);
                    for (int b = 0; b < 8; b++) {
                        int j = 8 * half + b;
                        IntVector v = (IntVector) ByteVector.fromMemorySegment(B, data, q + (long) j * GROUP, ByteOrder.LITTLE_ENDIAN)
                                .convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
                        IntVector lo = v.and(0x0F).or(fifthLo.lanewise(VectorOperators.LSHR, b).and(16));
                        IntVector hi = v.lanewise(VectorOperators.LSHR, 4).or(fifthHi.lanewise(VectorOperators.LSHR, b).and(16));
                        s0 = ((FloatVector) lo.convert(VectorOperators.I2F, 0)).fma(FloatVector.broadcast(F, x[xi + j]), s0);
                        s1 = ((FloatVector) hi.convert(VectorOperators.I2F, 0)).fma(FloatVector.broadcast(F, x[xi + j + 16]), s1);
                    }
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
                acc = s0.add(s1).fma(d.mul(scale), acc);
                acc = dmin.mul(min).fma(FloatVector.broadcast(F, -sumX), acc);
            }
        }
        acc.intoArray(out, o);
    }

    /**
     * Group {@code g} times token {@code t} of the tile of {@code w} tokens from {@code t0} of activations rounded to 8
     * bits ({@link Int8Activations}), results to {@code out[o ..]}: each half sub-block's eight low-nibble (and eight
     * high-nibble) columns' {@code q · level} products add up in short lanes exactly (at most 8 × 31 × 127 = 31,496),
     * and only the sums are widened, converted and scaled: {@code Σ q·level · s · (d·scale) − (dmin·min) · Σ level · s},
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
                int b0 = sb * SUBS + s;
                IntVector sum = IntVector.zero(I);
                for (int half = 0; half < 2; half++) {
                    ShortVector fifthLo = ((ShortVector) ByteVector.fromMemorySegment(B, data, q + (long) (HIGH + half) * GROUP, ByteOrder.LITTLE_ENDIAN)
                            .convertShape(VectorOperators.ZERO_EXTEND_B2S, S, 0)).lanewise(VectorOperators.LSHL, 4);
                    ShortVector fifthHi = ((ShortVector) ByteVector.fromMemorySegment(B, data, q + (long) (HIGH + 2 + half) * GROUP,
                            ByteOrder.LITTLE_ENDIAN).convertShape(VectorOperators.ZERO_EXTEND_B2S, S, 0)).lanewise(VectorOperators.LSHL, 4);
                    int lo = t0 * cols + (b0 * BLOCK + 8 * half) * w + t;
                    int hi = lo + 16 * w;
                    ShortVector l0 = ShortVector.zero(S);
                    ShortVector h0 = ShortVector.zero(S);
                    for (int b = 0; b < 8; b++, lo += w, hi += w) {
                        ShortVector v = (ShortVector) ByteVector.fromMemorySegment(B, data, q + (long) (8 * half + b) * GROUP, ByteOrder.LITTLE_ENDIAN)
                                .convertShape(VectorOperators.ZERO_EXTEND_B2S, S, 0);
                        l0 = l0.add(v.and((short) 0x0F).or(fifthLo.lanewise(VectorOperators.LSHR, b).and((short) 16)).mul(levels[lo]));
                        h0 = h0.add(v.lanewise(VectorOperators.LSHR, 4).or(fifthHi.lanewise(VectorOperators.LSHR, b).and((short) 16))
                                .mul(levels[hi]));
                    }
                    sum = sum.add((IntVector) l0.convertShape(VectorOperators.S2I, I, 0)).add((IntVector) h0.convertShape(VectorOperators.S2I, I, 0));
                }
                FloatVector scale = (FloatVector) ByteVector.fromMemorySegment(B, data, h + SCALES + (long) s * GROUP, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0).convert(VectorOperators.I2F, 0);
                FloatVector min = (FloatVector) ByteVector.fromMemorySegment(B, data, h + MINS + (long) s * GROUP, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0).convert(VectorOperators.I2F, 0);
                int k = t0 * blocks + b0 * w + t;
                float step = steps[k];
                acc = ((FloatVector) sum.convert(VectorOperators.I2F, 0)).mul(step).fma(d.mul(scale), acc);
                // offsets hold 8 × Σ level (Q4_0's nibble offset); the mins take Σ level itself
                acc = dmin.mul(min).fma(FloatVector.broadcast(F, -(offsets[k] / 8) * step), acc);
            }
        }
        acc.intoArray(out, o);
    }

    /**
     * As {@link #dotGroup(int, Int8Activations, int, int, int, float[], int)}, for tokens {@code t} and {@code t + 1} of
     * the tile of {@code w} from {@code t0}, their results to {@code out[o ..]} and {@code out[o + stride ..]}: each
     * column's value is extracted once for both tokens' products (four short sums). A decode step takes its tokens two
     * at a time, as Q6_K's does.
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
                int b0 = sb * SUBS + s;
                IntVector sum0 = IntVector.zero(I);
                IntVector sum1 = IntVector.zero(I);
                for (int half = 0; half < 2; half++) {
                    ShortVector fifthLo = ((ShortVector) ByteVector.fromMemorySegment(B, data, q + (long) (HIGH + half) * GROUP, ByteOrder.LITTLE_ENDIAN)
                            .convertShape(VectorOperators.ZERO_EXTEND_B2S, S, 0)).lanewise(VectorOperators.LSHL, 4);
                    ShortVector fifthHi = ((ShortVector) ByteVector.fromMemorySegment(B, data, q + (long) (HIGH + 2 + half) * GROUP,
                            ByteOrder.LITTLE_ENDIAN).convertShape(VectorOperators.ZERO_EXTEND_B2S, S, 0)).lanewise(VectorOperators.LSHL, 4);
                    int lo = t0 * cols + (b0 * BLOCK + 8 * half) * w + t;
                    int hi = lo + 16 * w;
                    ShortVector l0 = ShortVector.zero(S);
                    ShortVector h0 = ShortVector.zero(S);
                    ShortVector l1 = ShortVector.zero(S);
                    ShortVector h1 = ShortVector.zero(S);
                    for (int b = 0; b < 8; b++, lo += w, hi += w) {
                        ShortVector v = (ShortVector) ByteVector.fromMemorySegment(B, data, q + (long) (8 * half + b) * GROUP, ByteOrder.LITTLE_ENDIAN)
                                .convertShape(VectorOperators.ZERO_EXTEND_B2S, S, 0);
                        ShortVector ql = v.and((short) 0x0F).or(fifthLo.lanewise(VectorOperators.LSHR, b).and((short) 16));
                        ShortVector qh = v.lanewise(VectorOperators.LSHR, 4).or(fifthHi.lanewise(VectorOperators.LSHR, b).and((short) 16));
                        l0 = l0.add(ql.mul(levels[lo]));
                        l1 = l1.add(ql.mul(levels[lo + 1]));
                        h0 = h0.add(qh.mul(levels[hi]));
                        h1 = h1.add(qh.mul(levels[hi + 1]));
                    }
                    sum0 = sum0.add((IntVector) l0.convertShape(VectorOperators.S2I, I, 0)).add((IntVector) h0.convertShape(VectorOperators.S2I, I, 0));
                    sum1 = sum1.add((IntVector) l1.convertShape(VectorOperators.S2I, I, 0)).add((IntVector) h1.convertShape(VectorOperators.S2I, I, 0));
                }
                FloatVector scale = d.mul((FloatVector) ByteVector.fromMemorySegment(B, data, h + SCALES + (long) s * GROUP, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0).convert(VectorOperators.I2F, 0));
                FloatVector min = dmin.mul((FloatVector) ByteVector.fromMemorySegment(B, data, h + MINS + (long) s * GROUP, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0).convert(VectorOperators.I2F, 0));
                int k = t0 * blocks + b0 * w + t;
                a0 = ((FloatVector) sum0.convert(VectorOperators.I2F, 0)).mul(steps[k]).fma(scale, a0);
                a0 = min.fma(FloatVector.broadcast(F, -(offsets[k] / 8) * steps[k]), a0);
                a1 = ((FloatVector) sum1.convert(VectorOperators.I2F, 0)).mul(steps[k + 1]).fma(scale, a1);
                a1 = min.fma(FloatVector.broadcast(F, -(offsets[k + 1] / 8) * steps[k + 1]), a1);
            }
        }
        a0.intoArray(out, o);
        a1.intoArray(out, o + stride);
    }

    /** Decodes as {@code q * (d * scale) + -(dmin * min)}, one rounding, as {@link Q5KMatrix} does. */
    @Override
    public void decodeGroup(int g, int c0, int n, float[] dst, int dOff) {
        long base = (long) g * (cols / KQuantMatrix.SUPER_BLOCK) * GROUP_SUPER_BYTES;
        for (int c = c0 / BLOCK, o = dOff; c < (c0 + n) / BLOCK; c++, o += BLOCK * GROUP) {
            long h = base + (long) (c / SUBS) * GROUP_SUPER_BYTES;
            int s = c % SUBS;
            FloatVector scale = HalfFloats.load(data, h).mul((FloatVector) ByteVector.fromMemorySegment(B, data, h + SCALES + (long) s * GROUP,
                    ByteOrder.LITTLE_ENDIAN).convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0).convert(VectorOperators.I2F, 0));
            FloatVector bias = HalfFloats.load(data, h + DMIN).mul((FloatVector) ByteVector.fromMemorySegment(B, data, h + MINS + (long) s * GROUP,
                    ByteOrder.LITTLE_ENDIAN).convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0).convert(VectorOperators.I2F, 0)).neg();
            long q = h + QUANTS + (long) s * SUB_BYTES;
            for (int half = 0; half < 2; half++) {
                IntVector fifthLo = ((IntVector) ByteVector.fromMemorySegment(B, data, q + (long) (HIGH + half) * GROUP, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0)).lanewise(VectorOperators.LSHL, 4);
                IntVector fifthHi = ((IntVector) ByteVector.fromMemorySegment(B, data, q + (long) (HIGH + 2 + half) * GROUP, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0)).lanewise(VectorOperators.LSHL, 4);
                for (int b = 0; b < 8; b++) {
                    int j = 8 * half + b;
                    IntVector v = (IntVector) ByteVector.fromMemorySegment(B, data, q + (long) j * GROUP, ByteOrder.LITTLE_ENDIAN)
                            .convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
                    ((FloatVector) v.and(0x0F).or(fifthLo.lanewise(VectorOperators.LSHR, b).and(16)).convert(VectorOperators.I2F, 0))
                            .fma(scale, bias).intoArray(dst, o + j * GROUP);
                    ((FloatVector) v.lanewise(VectorOperators.LSHR, 4).or(fifthHi.lanewise(VectorOperators.LSHR, b).and(16))
                            .convert(VectorOperators.I2F, 0)).fma(scale, bias).intoArray(dst, o + (j + 16) * GROUP);
                }
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
            long q = h + QUANTS + (long) s * SUB_BYTES + lane;
            int nibble = u8(q + (long) (j % 16) * GROUP);
            int fifth = (u8(q + (long) (HIGH + j / 8) * GROUP) >> (j % 8)) & 1;
            dst[dstOff + i] = Math.fma((j < 16 ? nibble & 0x0F : nibble >>> 4) | fifth << 4, d * scale, -(dmin * min));
        }
    }

    /** Groups {@code [from, to)} of Q5_K matrix {@code file} as lanes, into {@code dst} ({@link LaneLayout#rearrangeBlocks}). */
    static void rearrange(WeightMatrix file, MemorySegment dst, int from, int to) {
        int fileBytes = GgmlType.Q5_K.blockBytes();
        int[] q = new int[BLOCK];
        LaneLayout.rearrangeBlocks(file, KQuantMatrix.SUPER_BLOCK, fileBytes, GROUP_SUPER_BYTES, dst, from, to, (in, out) -> {
            MemorySegment rowsIn = MemorySegment.ofArray(in);
            for (int lane = 0; lane < GROUP; lane++) {
                int r = lane * fileBytes;
                System.arraycopy(in, r, out, 2 * lane, 2);
                System.arraycopy(in, r + 2, out, DMIN + 2 * lane, 2);
                int qh = r + 4 + KQuantScales.BYTES;
                int qs = qh + 32;
                for (int s = 0; s < SUBS; s++) {
                    out[SCALES + s * GROUP + lane] = (byte) KQuantScales.scale(rowsIn, r + 4, s);
                    out[MINS + s * GROUP + lane] = (byte) KQuantScales.min(rowsIn, r + 4, s);
                    // element l of sub-block s: a nibble of the file's byte 32 (s / 2) + l (low for even s), and bit s of qh[l]
                    for (int l = 0; l < BLOCK; l++) {
                        q[l] = ((in[qs + 32 * (s / 2) + l] >> (s % 2 == 0 ? 0 : 4)) & 0x0F) | ((in[qh + l] >> s) & 1) << 4;
                    }
                    int at = QUANTS + s * SUB_BYTES + lane;
                    for (int j = 0; j < 16; j++) {
                        out[at + j * GROUP] = (byte) ((q[j] & 0x0F) | (q[j + 16] & 0x0F) << 4);
                    }
                    for (int k = 0; k < 4; k++) {
                        int bits = 0;
                        for (int b = 0; b < 8; b++) {
                            bits |= (q[8 * k + b] >> 4) << b;
                        }
                        out[at + (HIGH + k) * GROUP] = (byte) bits;
                    }
                }
            }
        });
    }

    private int u8(long at) {
        return data.get(ValueLayout.JAVA_BYTE, at) & 0xFF;
    }
}
