package dev.tangram.inference.kernels;

import dev.tangram.inference.gguf.GgmlType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Encodes floats into the GGML storage types (F32, F16, BF16, Q8_0, Q4_0), with the rounding of the reference
 * quantizers: Q8_0 {@code d = max|x| / 127}, {@code q = round(x / d)}; Q4_0 {@code d = m / -8} where {@code m} is the
 * element of largest magnitude (with its sign), {@code q = min(15, trunc(x / d + 8.5))}.
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
        float amax = 0;
        for (int j = 0; j < 32; j++) {
            amax = Math.max(amax, Math.abs(x[o + j]));
        }
        float d = amax / 127f;
        float id = d != 0 ? 1f / d : 0f;
        out.putShort(Float.floatToFloat16(d));
        for (int j = 0; j < 32; j++) {
            float v = x[o + j] * id;
            out.put((byte) (int) Math.copySign(Math.floor(Math.abs(v) + 0.5f), v));
        }
    }

    private static void q4Block(float[] x, int o, ByteBuffer out) {
        float amax = 0;
        float max = 0;
        for (int j = 0; j < 32; j++) {
            float v = x[o + j];
            if (Math.abs(v) > amax) {
                amax = Math.abs(v);
                max = v;
            }
        }
        float d = max / -8f;
        float id = d != 0 ? 1f / d : 0f;
        out.putShort(Float.floatToFloat16(d));
        for (int j = 0; j < 16; j++) {
            int lo = Math.min(15, (int) (x[o + j] * id + 8.5f));
            int hi = Math.min(15, (int) (x[o + 16 + j] * id + 8.5f));
            out.put((byte) (lo | (hi << 4)));
        }
    }
}
