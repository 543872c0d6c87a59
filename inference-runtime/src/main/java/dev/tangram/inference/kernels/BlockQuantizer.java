package dev.tangram.inference.kernels;

import dev.tangram.inference.gguf.GgmlType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Encodes floats into the GGML storage types (F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q4_K, Q5_K, Q6_K, MXFP4), with the
 * rounding of the reference quantizers for the 32-element types: Q8_0 {@code d = max|x| / 127}, {@code q = round(x / d)}; Q4_0
 * {@code d = m / -8} where {@code m} is the element of largest magnitude (with its sign), {@code q = min(15, trunc(x / d
 * + 8.5))}. The K-quants are encoded plainly, without llama.cpp's search for error-minimising scales: per sub-block a
 * min/max (Q4_K, Q5_K) or max-magnitude (Q6_K) scale, the sub-block scales quantised against the super-block maximum.
 * They exist for tests and generated models; the decoders are what must match the format.
 */
public final class BlockQuantizer {
    private BlockQuantizer() {}

    /** Bytes {@code n} floats take in {@code type}. */
    public static int bytes(GgmlType type, int n) {
        return Math.toIntExact(type.bytesFor(n));
    }

    /** Appends {@code src[off .. off+n)} encoded as {@code type} to {@code out} (little-endian). */
    public static void encode(GgmlType type, float[] src, int off, int n, ByteBuffer out) {
        out.order(ByteOrder.LITTLE_ENDIAN);
        switch (type) {
            case F32 -> { for (int i = 0; i < n; i++) out.putFloat(src[off + i]); }
            case F16 -> { for (int i = 0; i < n; i++) out.putShort(Float.floatToFloat16(src[off + i])); }
            case BF16 -> { for (int i = 0; i < n; i++) out.putShort(toBf16(src[off + i])); }
            case Q8_0 -> { for (int b = 0; b < n; b += 32) q8Block(src, off + b, out); }
            case Q4_0 -> { for (int b = 0; b < n; b += 32) q4Block(src, off + b, out); }
            case Q4_1 -> { for (int b = 0; b < n; b += 32) minBlock(src, off + b, 15, false, out); }
            case Q5_0 -> { for (int b = 0; b < n; b += 32) q50Block(src, off + b, out); }
            case Q5_1 -> { for (int b = 0; b < n; b += 32) minBlock(src, off + b, 31, true, out); }
            case Q4_K -> { for (int b = 0; b < n; b += KQuantMatrix.SUPER_BLOCK) kBlock(src, off + b, 15, out); }
            case Q5_K -> { for (int b = 0; b < n; b += KQuantMatrix.SUPER_BLOCK) kBlock(src, off + b, 31, out); }
            case Q6_K -> { for (int b = 0; b < n; b += KQuantMatrix.SUPER_BLOCK) q6kBlock(src, off + b, out); }
            case MXFP4 -> { for (int b = 0; b < n; b += 32) mxfp4Block(src, off + b, out); }
            default -> throw new IllegalArgumentException("cannot encode " + type);
        }
    }

    /** Round-to-nearest-even bfloat16 of {@code f}. */
    public static short toBf16(float f) {
        int bits = Float.floatToRawIntBits(f);
        if (Float.isNaN(f)) {
            return (short) ((bits >>> 16) | 0x40);
        }
        return (short) ((bits + 0x7FFF + ((bits >>> 16) & 1)) >>> 16);
    }

    private static void q8Block(float[] x, int o, ByteBuffer out) {
        float d = q8Scale(x, o);
        float id = d != 0 ? 1f / d : 0f;
        out.putShort(Float.floatToFloat16(d));
        for (int j = 0; j < 32; j++) {
            float v = x[o + j] * id;
            out.put((byte) roundAway(v));
        }
    }

    /** The Q8_0 scale of {@code x[o .. o + 32)}: its largest magnitude over 127. */
    static float q8Scale(float[] x, int o) {
        float amax = 0;
        for (int j = 0; j < 32; j++) {
            amax = Math.max(amax, Math.abs(x[o + j]));
        }
        return amax / 127f;
    }

    /** {@code v} rounded to the nearest whole number, halves away from zero (C's {@code roundf}, as llama.cpp's quantizers round). */
    static int roundAway(float v) {
        return (int) Math.copySign(Math.floor(Math.abs(v) + 0.5f), v);
    }

    /** The value of largest magnitude of the block at {@code o}, with its sign (the first such where several tie). */
    private static float signedMax(float[] x, int o) {
        float amax = 0;
        float max = 0;
        for (int j = 0; j < 32; j++) {
            float v = x[o + j];
            if (Math.abs(v) > amax) {
                amax = Math.abs(v);
                max = v;
            }
        }
        return max;
    }

    /**
     * MXFP4, as llama.cpp's reference quantiser: the scale's exponent {@code e = floor(log2(max|x|)) − 2 + 127} (0 for a
     * block of zeros), so that the largest magnitude lands among the top E2M1 values; each element the nibble whose
     * doubled value times {@link MxFp4Matrix#halfScale} is nearest (the lower nibble between equals).
     */
    private static void mxfp4Block(float[] x, int o, ByteBuffer out) {
        float amax = 0;
        for (int j = 0; j < 32; j++) {
            amax = Math.max(amax, Math.abs(x[o + j]));
        }
        // log2 in double rounded to float, as C's log2f rounds it
        int e = amax > 0 ? Math.clamp((long) (Math.floor((float) (Math.log(amax) / Math.log(2))) - 2 + 127), 0, 255) : 0;
        float d = MxFp4Matrix.halfScale(e);
        out.put((byte) e);
        for (int j = 0; j < 16; j++) {
            out.put((byte) (nearestNibble(x[o + j], d) | nearestNibble(x[o + 16 + j], d) << 4));
        }
    }

    private static int nearestNibble(float x, float d) {
        int best = 0;
        float bestErr = Math.abs(MxFp4Matrix.nibbleValue(0) * d - x);
        for (int i = 1; i < 16; i++) {
            float err = Math.abs(MxFp4Matrix.nibbleValue(i) * d - x);
            if (err < bestErr) {
                best = i;
                bestErr = err;
            }
        }
        return best;
    }

    private static void q4Block(float[] x, int o, ByteBuffer out) {
        float d = signedMax(x, o) / -8f;
        float id = d != 0 ? 1f / d : 0f;
        out.putShort(Float.floatToFloat16(d));
        for (int j = 0; j < 16; j++) {
            int lo = Math.min(15, (int) (x[o + j] * id + 8.5f));
            int hi = Math.min(15, (int) (x[o + 16 + j] * id + 8.5f));
            out.put((byte) (lo | (hi << 4)));
        }
    }

    /**
     * Q4_1 ({@code levels} 15) or Q5_1 (31, {@code fifthBits}), as llama.cpp's reference quantisers: {@code d = (max −
     * min) / levels}, {@code m = min}, each quant the nearest level above the minimum.
     */
    private static void minBlock(float[] x, int o, int levels, boolean fifthBits, ByteBuffer out) {
        float min = Float.POSITIVE_INFINITY;
        float max = Float.NEGATIVE_INFINITY;
        for (int j = 0; j < 32; j++) {
            min = Math.min(min, x[o + j]);
            max = Math.max(max, x[o + j]);
        }
        float d = (max - min) / levels;
        float id = d != 0 ? 1f / d : 0f;
        out.putShort(Float.floatToFloat16(d));
        out.putShort(Float.floatToFloat16(min));
        int[] q = new int[32];
        for (int j = 0; j < 32; j++) {
            q[j] = Math.min(levels, (int) ((x[o + j] - min) * id + 0.5f));
        }
        packWithFifthBits(q, fifthBits, out);
    }

    /** Q5_0, as llama.cpp's reference quantiser: {@code d = max / −16} (max the value of largest magnitude), quants q + 16. */
    private static void q50Block(float[] x, int o, ByteBuffer out) {
        float d = signedMax(x, o) / -16f;
        float id = d != 0 ? 1f / d : 0f;
        out.putShort(Float.floatToFloat16(d));
        int[] q = new int[32];
        for (int j = 0; j < 32; j++) {
            q[j] = Math.min(31, (int) (x[o + j] * id + 16.5f));
        }
        packWithFifthBits(q, true, out);
    }

    /** 32 quants as the fifth bits' word (where {@code fifthBits}: bit j for quant j) and 16 bytes of nibbles (j low, j + 16 high). */
    private static void packWithFifthBits(int[] q, boolean fifthBits, ByteBuffer out) {
        if (fifthBits) {
            int qh = 0;
            for (int j = 0; j < 32; j++) {
                qh |= ((q[j] >> 4) & 1) << j;
            }
            out.putInt(qh);
        }
        for (int j = 0; j < 16; j++) {
            out.put((byte) ((q[j] & 0x0F) | ((q[j + 16] & 0x0F) << 4)));
        }
    }

    /** Q4_K ({@code levels} 15) or Q5_K (31): eight sub-blocks of 32 as {@code d·scale·q − dmin·min}. */
    private static void kBlock(float[] x, int o, int levels, ByteBuffer out) {
        float[] step = new float[8];
        float[] low = new float[8];
        for (int s = 0; s < 8; s++) {
            float lo = 0;
            float hi = 0;
            for (int l = 0; l < 32; l++) {
                lo = Math.min(lo, x[o + 32 * s + l]);
                hi = Math.max(hi, x[o + 32 * s + l]);
            }
            step[s] = (hi - lo) / levels;
            low[s] = -lo;
        }
        short dBits = Float.floatToFloat16(max(step) / 63);
        short mBits = Float.floatToFloat16(max(low) / 63);
        float d = Float.float16ToFloat(dBits);
        float dmin = Float.float16ToFloat(mBits);
        int[] scales = new int[8];
        int[] mins = new int[8];
        int[][] q = new int[8][32];
        for (int s = 0; s < 8; s++) {
            scales[s] = d > 0 ? Math.min(63, Math.round(step[s] / d)) : 0;
            mins[s] = dmin > 0 ? Math.min(63, Math.round(low[s] / dmin)) : 0;
            float sd = d * scales[s];
            float sm = dmin * mins[s];
            for (int l = 0; l < 32; l++) {
                q[s][l] = sd > 0 ? Math.clamp(Math.round((x[o + 32 * s + l] + sm) / sd), 0, levels) : 0;
            }
        }
        out.putShort(dBits).putShort(mBits).put(KQuantScales.pack(scales, mins));
        if (levels == 31) {
            for (int l = 0; l < 32; l++) {
                int bits = 0;
                for (int s = 0; s < 8; s++) {
                    bits |= (q[s][l] >> 4) << s;
                }
                out.put((byte) bits);
            }
        }
        for (int i = 0; i < 4; i++) {
            for (int l = 0; l < 32; l++) {
                out.put((byte) ((q[2 * i][l] & 0xF) | ((q[2 * i + 1][l] & 0xF) << 4)));
            }
        }
    }

    /** Q6_K: sixteen groups of 16 as {@code d·scale·(q − 32)}, {@code q} in 0..63, signed 8-bit scales. */
    private static void q6kBlock(float[] x, int o, ByteBuffer out) {
        float[] step = new float[16];
        for (int g = 0; g < 16; g++) {
            float amax = 0;
            for (int l = 0; l < 16; l++) {
                amax = Math.max(amax, Math.abs(x[o + 16 * g + l]));
            }
            step[g] = amax / 31;
        }
        short dBits = Float.floatToFloat16(max(step) / 127);
        float d = Float.float16ToFloat(dBits);
        int[] scales = new int[16];
        int[] q = new int[256];
        for (int g = 0; g < 16; g++) {
            scales[g] = d > 0 ? Math.min(127, Math.round(step[g] / d)) : 0;
            float sd = d * scales[g];
            for (int l = 0; l < 16; l++) {
                q[16 * g + l] = sd > 0 ? Math.clamp(Math.round(x[o + 16 * g + l] / sd), -32, 31) + 32 : 32;
            }
        }
        byte[] ql = new byte[128];
        byte[] qh = new byte[64];
        for (int e = 0; e < 256; e++) {
            int half = e / 128;
            int k = e % 128 / 32;
            int l = e % 32;
            int at = 64 * half + (k % 2 == 1 ? 32 : 0) + l;
            ql[at] |= (byte) ((q[e] & 0xF) << (k >= 2 ? 4 : 0));
            qh[32 * half + l] |= (byte) ((q[e] >> 4) << (2 * k));
        }
        out.put(ql).put(qh);
        for (int g = 0; g < 16; g++) {
            out.put((byte) scales[g]);
        }
        out.putShort(dBits);
    }

    private static float max(float[] v) {
        float m = 0;
        for (float f : v) {
            m = Math.max(m, f);
        }
        return m;
    }
}
