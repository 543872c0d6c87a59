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
 * Q6_K weights with rows in lanes ({@link LaneGroupMatrix}). Per group and 256-column super-block: the rows' float16
 * {@code d} ({@code GROUP} of them), sixteen runs of {@code GROUP} signed bytes with the 16-column sub-blocks' scales,
 * then each 32-column chunk in 24 runs of {@code GROUP} bytes: run {@code j < 16} holds the low four bits of column
 * {@code j} (low nibble) and of column {@code j + 16} (high nibble), run {@code 16 + j} ({@code j < 8}) the top two bits
 * of columns {@code j}, {@code j + 8}, {@code j + 16} and {@code j + 24}, two bits each from the lowest. The same 210 bytes
 * per row and super-block as the file; element value {@code (q - 32) * (d * scale)}, as {@link Q6KMatrix} decodes it.
 * Its products call no helper that returns a vector ({@link Q4KLaneMatrix} says why).
 */
public record Q6KLaneMatrix(MemorySegment data, int rows, int cols) implements KQuantLaneMatrix {
    /** Bytes per row and super-block: the file's. */
    static final int ROW_BYTES = 210;
    /** Bytes of one group's super-block. */
    static final int GROUP_SUPER_BYTES = GROUP * ROW_BYTES;
    private static final int SCALES = 2 * GROUP;
    private static final int QUANTS = 18 * GROUP;
    /** Bytes of one 32-column chunk's quants in a group: 24 runs. */
    private static final int CHUNK_BYTES = 24 * GROUP;
    private static final int CHUNKS = KQuantMatrix.SUPER_BLOCK / BLOCK;
    private static final int HIGH = 16;

    @Override
    public GgmlType type() {
        return GgmlType.Q6_K;
    }

    /**
     * Rows {@code [g * GROUP, (g + 1) * GROUP)} dotted with {@code x[xOff .. xOff + cols)}: per 32-column chunk, four
     * running sums of {@code q - 32} times the token's values (two per 16-column sub-block), each sub-block's scaled by
     * {@code d * scale} at the chunk's end.
     */
    @Override
    public void dotGroup(int g, float[] x, int xOff, float[] out, int o) {
        int supers = cols / KQuantMatrix.SUPER_BLOCK;
        long base = (long) g * supers * GROUP_SUPER_BYTES;
        FloatVector acc = FloatVector.zero(F);
        for (int sb = 0; sb < supers; sb++) {
            long h = base + (long) sb * GROUP_SUPER_BYTES;
            FloatVector d = HalfFloats.load(data, h);
            for (int c = 0; c < CHUNKS; c++) {
                long q = h + QUANTS + (long) c * CHUNK_BYTES;
                int xi = xOff + sb * KQuantMatrix.SUPER_BLOCK + c * BLOCK;
                FloatVector s0 = FloatVector.zero(F);
                FloatVector s1 = FloatVector.zero(F);
                FloatVector s2 = FloatVector.zero(F);
                FloatVector s3 = FloatVector.zero(F);
                for (int j = 0; j < 8; j++) {
                    IntVector n1 = (IntVector) ByteVector.fromMemorySegment(B, data, q + (long) j * GROUP, ByteOrder.LITTLE_ENDIAN)
                            .convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
                    IntVector n2 = (IntVector) ByteVector.fromMemorySegment(B, data, q + (long) (j + 8) * GROUP, ByteOrder.LITTLE_ENDIAN)
                            .convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
                    IntVector hb = (IntVector) ByteVector.fromMemorySegment(B, data, q + (long) (HIGH + j) * GROUP, ByteOrder.LITTLE_ENDIAN)
                            .convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
                    s0 = ((FloatVector) n1.and(0x0F).or(hb.lanewise(VectorOperators.LSHL, 4).and(0x30)).sub(32).convert(VectorOperators.I2F, 0))
                            .fma(FloatVector.broadcast(F, x[xi + j]), s0);
                    s1 = ((FloatVector) n2.and(0x0F).or(hb.lanewise(VectorOperators.LSHL, 2).and(0x30)).sub(32).convert(VectorOperators.I2F, 0))
                            .fma(FloatVector.broadcast(F, x[xi + j + 8]), s1);
                    s2 = ((FloatVector) n1.lanewise(VectorOperators.LSHR, 4).or(hb.and(0x30)).sub(32).convert(VectorOperators.I2F, 0))
                            .fma(FloatVector.broadcast(F, x[xi + j + 16]), s2);
                    s3 = ((FloatVector) n2.lanewise(VectorOperators.LSHR, 4).or(hb.lanewise(VectorOperators.LSHR, 2).and(0x30)).sub(32)
                            .convert(VectorOperators.I2F, 0)).fma(FloatVector.broadcast(F, x[xi + j + 24]), s3);
                }
                long sc = h + SCALES + (long) (2 * c) * GROUP;
                FloatVector first = (FloatVector) ByteVector.fromMemorySegment(B, data, sc, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.B2I, I, 0).convert(VectorOperators.I2F, 0);
                FloatVector second = (FloatVector) ByteVector.fromMemorySegment(B, data, sc + GROUP, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.B2I, I, 0).convert(VectorOperators.I2F, 0);
                acc = s0.add(s1).fma(d.mul(first), acc);
                acc = s2.add(s3).fma(d.mul(second), acc);
            }
        }
        acc.intoArray(out, o);
    }

    /**
     * Group {@code g} times token {@code t} of the tile of {@code w} tokens from {@code t0} of activations rounded to 8
     * bits ({@link Int8Activations}), results to {@code out[o ..]}: the products {@code (q - 32) · level} (at most 32 ×
     * 127 in magnitude) add up in short lanes exactly, eight to a running sum (at most 32,512; sixteen would wrap), four
     * sums per 32-column chunk, two per 16-column sub-block; only those are widened, converted and scaled by the level
     * scale and {@code d * scale}. One token is the tile of one from 0.
     */
    @Override
    public void dotGroup(int g, Int8Activations x, int t0, int w, int t, float[] out, int o) {
        short[] levels = x.levels();
        float[] steps = x.scales();
        int supers = cols / KQuantMatrix.SUPER_BLOCK;
        int blocks = cols / BLOCK;
        long base = (long) g * supers * GROUP_SUPER_BYTES;
        FloatVector acc = FloatVector.zero(F);
        for (int sb = 0; sb < supers; sb++) {
            long h = base + (long) sb * GROUP_SUPER_BYTES;
            FloatVector d = HalfFloats.load(data, h);
            for (int c = 0; c < CHUNKS; c++) {
                long q = h + QUANTS + (long) c * CHUNK_BYTES;
                int b = sb * CHUNKS + c;
                int xi = t0 * cols + b * BLOCK * w + t;
                ShortVector s0 = ShortVector.zero(S);
                ShortVector s1 = ShortVector.zero(S);
                ShortVector s2 = ShortVector.zero(S);
                ShortVector s3 = ShortVector.zero(S);
                for (int j = 0; j < 8; j++, xi += w) {
                    ShortVector n1 = (ShortVector) ByteVector.fromMemorySegment(B, data, q + (long) j * GROUP, ByteOrder.LITTLE_ENDIAN)
                            .convertShape(VectorOperators.ZERO_EXTEND_B2S, S, 0);
                    ShortVector n2 = (ShortVector) ByteVector.fromMemorySegment(B, data, q + (long) (j + 8) * GROUP, ByteOrder.LITTLE_ENDIAN)
                            .convertShape(VectorOperators.ZERO_EXTEND_B2S, S, 0);
                    ShortVector hb = (ShortVector) ByteVector.fromMemorySegment(B, data, q + (long) (HIGH + j) * GROUP, ByteOrder.LITTLE_ENDIAN)
                            .convertShape(VectorOperators.ZERO_EXTEND_B2S, S, 0);
                    s0 = s0.add(n1.and((short) 0x0F).or(hb.lanewise(VectorOperators.LSHL, 4).and((short) 0x30)).sub((short) 32)
                            .mul(levels[xi]));
                    s1 = s1.add(n2.and((short) 0x0F).or(hb.lanewise(VectorOperators.LSHL, 2).and((short) 0x30)).sub((short) 32)
                            .mul(levels[xi + 8 * w]));
                    s2 = s2.add(n1.lanewise(VectorOperators.LSHR, 4).or(hb.and((short) 0x30)).sub((short) 32).mul(levels[xi + 16 * w]));
                    s3 = s3.add(n2.lanewise(VectorOperators.LSHR, 4).or(hb.lanewise(VectorOperators.LSHR, 2).and((short) 0x30))
                            .sub((short) 32).mul(levels[xi + 24 * w]));
                }
                IntVector first = (IntVector) s0.convertShape(VectorOperators.S2I, I, 0);
                first = first.add((IntVector) s1.convertShape(VectorOperators.S2I, I, 0));
                IntVector second = (IntVector) s2.convertShape(VectorOperators.S2I, I, 0);
                second = second.add((IntVector) s3.convertShape(VectorOperators.S2I, I, 0));
                long sc = h + SCALES + (long) (2 * c) * GROUP;
                FloatVector scaleA = (FloatVector) ByteVector.fromMemorySegment(B, data, sc, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.B2I, I, 0).convert(VectorOperators.I2F, 0);
                FloatVector scaleB = (FloatVector) ByteVector.fromMemorySegment(B, data, sc + GROUP, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.B2I, I, 0).convert(VectorOperators.I2F, 0);
                float step = steps[t0 * blocks + b * w + t];
                acc = ((FloatVector) first.convert(VectorOperators.I2F, 0)).mul(step).fma(d.mul(scaleA), acc);
                acc = ((FloatVector) second.convert(VectorOperators.I2F, 0)).mul(step).fma(d.mul(scaleB), acc);
            }
        }
        acc.intoArray(out, o);
    }

    /**
     * As {@link #dotGroup(int, Int8Activations, int, int, int, float[], int)}, for tokens {@code t} and {@code t + 1} of
     * the tile of {@code w} from {@code t0}, their results to {@code out[o ..]} and {@code out[o + stride ..]}: each
     * column's value is extracted once for both tokens' products (eight short sums). A decode step takes its tokens two
     * at a time this way: with a four-token version (sixteen short sums, the largest kernel) four server rounds of four
     * or five sequences ran ten times slower, likely a C2 compile of it with vectors boxed, not proven
     * (docs/inference-engine.md, Profile, session 15).
     */
    @Override
    public void dotGroup2(int g, Int8Activations x, int t0, int w, int t, float[] out, int o, int stride) {
        short[] levels = x.levels();
        float[] steps = x.scales();
        int supers = cols / KQuantMatrix.SUPER_BLOCK;
        int blocks = cols / BLOCK;
        long base = (long) g * supers * GROUP_SUPER_BYTES;
        FloatVector a0 = FloatVector.zero(F);
        FloatVector a1 = FloatVector.zero(F);
        for (int sb = 0; sb < supers; sb++) {
            long h = base + (long) sb * GROUP_SUPER_BYTES;
            FloatVector d = HalfFloats.load(data, h);
            for (int c = 0; c < CHUNKS; c++) {
                long q = h + QUANTS + (long) c * CHUNK_BYTES;
                int b = sb * CHUNKS + c;
                int xi = t0 * cols + b * BLOCK * w + t;
                ShortVector s00 = ShortVector.zero(S);
                ShortVector s01 = ShortVector.zero(S);
                ShortVector s10 = ShortVector.zero(S);
                ShortVector s11 = ShortVector.zero(S);
                ShortVector s20 = ShortVector.zero(S);
                ShortVector s21 = ShortVector.zero(S);
                ShortVector s30 = ShortVector.zero(S);
                ShortVector s31 = ShortVector.zero(S);
                for (int j = 0; j < 8; j++, xi += w) {
                    ShortVector n1 = (ShortVector) ByteVector.fromMemorySegment(B, data, q + (long) j * GROUP, ByteOrder.LITTLE_ENDIAN)
                            .convertShape(VectorOperators.ZERO_EXTEND_B2S, S, 0);
                    ShortVector n2 = (ShortVector) ByteVector.fromMemorySegment(B, data, q + (long) (j + 8) * GROUP, ByteOrder.LITTLE_ENDIAN)
                            .convertShape(VectorOperators.ZERO_EXTEND_B2S, S, 0);
                    ShortVector hb = (ShortVector) ByteVector.fromMemorySegment(B, data, q + (long) (HIGH + j) * GROUP, ByteOrder.LITTLE_ENDIAN)
                            .convertShape(VectorOperators.ZERO_EXTEND_B2S, S, 0);
                    ShortVector v0 = n1.and((short) 0x0F).or(hb.lanewise(VectorOperators.LSHL, 4).and((short) 0x30)).sub((short) 32);
                    ShortVector v1 = n2.and((short) 0x0F).or(hb.lanewise(VectorOperators.LSHL, 2).and((short) 0x30)).sub((short) 32);
                    ShortVector v2 = n1.lanewise(VectorOperators.LSHR, 4).or(hb.and((short) 0x30)).sub((short) 32);
                    ShortVector v3 = n2.lanewise(VectorOperators.LSHR, 4).or(hb.lanewise(VectorOperators.LSHR, 2).and((short) 0x30)).sub((short) 32);
                    s00 = s00.add(v0.mul(levels[xi]));
                    s01 = s01.add(v0.mul(levels[xi + 1]));
                    s10 = s10.add(v1.mul(levels[xi + 8 * w]));
                    s11 = s11.add(v1.mul(levels[xi + 8 * w + 1]));
                    s20 = s20.add(v2.mul(levels[xi + 16 * w]));
                    s21 = s21.add(v2.mul(levels[xi + 16 * w + 1]));
                    s30 = s30.add(v3.mul(levels[xi + 24 * w]));
                    s31 = s31.add(v3.mul(levels[xi + 24 * w + 1]));
                }
                long sc = h + SCALES + (long) (2 * c) * GROUP;
                FloatVector scaleA = d.mul((FloatVector) ByteVector.fromMemorySegment(B, data, sc, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.B2I, I, 0).convert(VectorOperators.I2F, 0));
                FloatVector scaleB = d.mul((FloatVector) ByteVector.fromMemorySegment(B, data, sc + GROUP, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.B2I, I, 0).convert(VectorOperators.I2F, 0));
                int k = t0 * blocks + b * w + t;
                IntVector f0 = ((IntVector) s00.convertShape(VectorOperators.S2I, I, 0)).add((IntVector) s10.convertShape(VectorOperators.S2I, I, 0));
                IntVector e0 = ((IntVector) s20.convertShape(VectorOperators.S2I, I, 0)).add((IntVector) s30.convertShape(VectorOperators.S2I, I, 0));
                a0 = ((FloatVector) f0.convert(VectorOperators.I2F, 0)).mul(steps[k]).fma(scaleA, a0);
                a0 = ((FloatVector) e0.convert(VectorOperators.I2F, 0)).mul(steps[k]).fma(scaleB, a0);
                IntVector f1 = ((IntVector) s01.convertShape(VectorOperators.S2I, I, 0)).add((IntVector) s11.convertShape(VectorOperators.S2I, I, 0));
                IntVector e1 = ((IntVector) s21.convertShape(VectorOperators.S2I, I, 0)).add((IntVector) s31.convertShape(VectorOperators.S2I, I, 0));
                a1 = ((FloatVector) f1.convert(VectorOperators.I2F, 0)).mul(steps[k + 1]).fma(scaleA, a1);
                a1 = ((FloatVector) e1.convert(VectorOperators.I2F, 0)).mul(steps[k + 1]).fma(scaleB, a1);
            }
        }
        a0.intoArray(out, o);
        a1.intoArray(out, o + stride);
    }

    /** Decodes as {@code (q - 32) * (d * scale)}, as {@link Q6KMatrix} does. */
    @Override
    public void decodeGroup(int g, int c0, int n, float[] dst, int dOff) {
        long base = (long) g * (cols / KQuantMatrix.SUPER_BLOCK) * GROUP_SUPER_BYTES;
        for (int b = c0 / BLOCK, o = dOff; b < (c0 + n) / BLOCK; b++, o += BLOCK * GROUP) {
            long h = base + (long) (b / CHUNKS) * GROUP_SUPER_BYTES;
            int c = b % CHUNKS;
            FloatVector d = HalfFloats.load(data, h);
            long sc = h + SCALES + (long) (2 * c) * GROUP;
            FloatVector first = d.mul((FloatVector) ByteVector.fromMemorySegment(B, data, sc, ByteOrder.LITTLE_ENDIAN)
                    .convertShape(VectorOperators.B2I, I, 0).convert(VectorOperators.I2F, 0));
            FloatVector second = d.mul((FloatVector) ByteVector.fromMemorySegment(B, data, sc + GROUP, ByteOrder.LITTLE_ENDIAN)
                    .convertShape(VectorOperators.B2I, I, 0).convert(VectorOperators.I2F, 0));
            long q = h + QUANTS + (long) c * CHUNK_BYTES;
            for (int j = 0; j < 8; j++) {
                IntVector n1 = (IntVector) ByteVector.fromMemorySegment(B, data, q + (long) j * GROUP, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
                IntVector n2 = (IntVector) ByteVector.fromMemorySegment(B, data, q + (long) (j + 8) * GROUP, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
                IntVector hb = (IntVector) ByteVector.fromMemorySegment(B, data, q + (long) (HIGH + j) * GROUP, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
                ((FloatVector) n1.and(0x0F).or(hb.lanewise(VectorOperators.LSHL, 4).and(0x30)).sub(32).convert(VectorOperators.I2F, 0))
                        .mul(first).intoArray(dst, o + j * GROUP);
                ((FloatVector) n2.and(0x0F).or(hb.lanewise(VectorOperators.LSHL, 2).and(0x30)).sub(32).convert(VectorOperators.I2F, 0))
                        .mul(first).intoArray(dst, o + (j + 8) * GROUP);
                ((FloatVector) n1.lanewise(VectorOperators.LSHR, 4).or(hb.and(0x30)).sub(32).convert(VectorOperators.I2F, 0))
                        .mul(second).intoArray(dst, o + (j + 16) * GROUP);
                ((FloatVector) n2.lanewise(VectorOperators.LSHR, 4).or(hb.lanewise(VectorOperators.LSHR, 2).and(0x30)).sub(32)
                        .convert(VectorOperators.I2F, 0)).mul(second).intoArray(dst, o + (j + 24) * GROUP);
            }
        }
    }

    @Override
    public void dequantize(int row, int fromCol, int count, float[] dst, int dstOff) {
        int lane = row % GROUP;
        long base = (long) (row / GROUP) * (cols / KQuantMatrix.SUPER_BLOCK) * GROUP_SUPER_BYTES;
        for (int i = 0; i < count; i++) {
            int col = fromCol + i;
            long h = base + (long) (col / KQuantMatrix.SUPER_BLOCK) * GROUP_SUPER_BYTES;
            int e = col % KQuantMatrix.SUPER_BLOCK;
            int c = e / BLOCK;
            int j = e % BLOCK;
            float d = Float.float16ToFloat(data.get(ValueLayout.JAVA_SHORT_UNALIGNED, h + 2L * lane));
            int scale = data.get(ValueLayout.JAVA_BYTE, h + SCALES + (long) (e / 16) * GROUP + lane);
            long q = h + QUANTS + (long) c * CHUNK_BYTES + lane;
            int low = (data.get(ValueLayout.JAVA_BYTE, q + (long) (j % 16) * GROUP) >> (j < 16 ? 0 : 4)) & 0x0F;
            int top = (data.get(ValueLayout.JAVA_BYTE, q + (long) (HIGH + j % 8) * GROUP) >> (2 * (j / 8))) & 3;
            dst[dstOff + i] = (float) ((low | top << 4) - 32) * (d * scale);
        }
    }

    /** Groups {@code [from, to)} of Q6_K matrix {@code file} as lanes, into {@code dst} ({@link LaneLayout#rearrangeBlocks}). */
    static void rearrange(WeightMatrix file, MemorySegment dst, int from, int to) {
        int[] q = new int[KQuantMatrix.SUPER_BLOCK];
        LaneLayout.rearrangeBlocks(file, KQuantMatrix.SUPER_BLOCK, ROW_BYTES, GROUP_SUPER_BYTES, dst, from, to, (in, out) -> {
            for (int lane = 0; lane < GROUP; lane++) {
                int r = lane * ROW_BYTES;
                System.arraycopy(in, r + 208, out, 2 * lane, 2);
                for (int s = 0; s < 16; s++) {
                    out[SCALES + s * GROUP + lane] = in[r + 192 + s];
                }
                fileQuants(in, r, q);
                for (int c = 0; c < CHUNKS; c++) {
                    int e = c * BLOCK;
                    int at = QUANTS + c * CHUNK_BYTES + lane;
                    for (int j = 0; j < 16; j++) {
                        out[at + j * GROUP] = (byte) ((q[e + j] & 0x0F) | (q[e + j + 16] & 0x0F) << 4);
                    }
                    for (int j = 0; j < 8; j++) {
                        out[at + (HIGH + j) * GROUP] = (byte) (q[e + j] >> 4 | (q[e + j + 8] >> 4) << 2 | (q[e + j + 16] >> 4) << 4
                                | (q[e + j + 24] >> 4) << 6);
                    }
                }
            }
        });
    }

    /** The 6-bit quants (0–63) of the file's super-block at {@code in[r ..]}, in column order ({@link Q6KMatrix}'s layout). */
    private static void fileQuants(byte[] in, int r, int[] q) {
        for (int e = 0; e < KQuantMatrix.SUPER_BLOCK; e++) {
            int half = e / 128;
            int k = e % 128 / 32;
            int l = e % 32;
            int low = (in[r + 64 * half + l + (k % 2) * 32] >> (k < 2 ? 0 : 4)) & 0x0F;
            int top = (in[r + 128 + 32 * half + l] >> (2 * k)) & 3;
            q[e] = low | top << 4;
        }
    }
}
