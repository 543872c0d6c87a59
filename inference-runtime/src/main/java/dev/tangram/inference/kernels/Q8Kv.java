package dev.tangram.inference.kernels;

import static dev.tangram.inference.kernels.VectorShapes.B;
import static dev.tangram.inference.kernels.VectorShapes.B_LANES;
import static dev.tangram.inference.kernels.VectorShapes.F;
import static dev.tangram.inference.kernels.VectorShapes.L;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Keys and values as llama.cpp's Q8_0 blocks: every 32 consecutive elements of one head of one token share a scale
 * {@code d = max|x| / 127}, kept as a half, and each element is the byte {@code round(x / d)}; it reads back as
 * {@code byte × d}. 34 bytes per 32 elements, a little over half of what halves take. The head size must be a multiple
 * of 32 (llama.cpp asks the same of its quantized caches).
 *
 * <p>The bytes keep {@link GroupedAttention}'s layout element for element. A key's scales sit beside its transposed
 * run the same way, transposed: the scale of elements {@code [32g, 32g + 32)} of slot {@code s} is at
 * {@code run / 32 + g × blockSize + s}. A value's scale is that of the 32 elements it starts, at {@code element / 32}.
 */
public final class Q8Kv implements NarrowKv {
    /** Elements per scale. */
    public static final int GROUP = 32;

    private final byte[] keys;
    private final byte[] values;
    private final short[] keyScales;
    private final short[] valueScales;
    private final int blockSize;
    private final int kvHeads;
    private final int headDim;

    private Q8Kv(int blocks, int blockSize, int kvHeads, int headDim) {
        String unfit = unfit(headDim);
        if (unfit != null) {
            throw new IllegalArgumentException(unfit);
        }
        int n = Math.multiplyExact(blocks, blockSize * kvHeads * headDim);
        this.keys = new byte[n];
        this.values = new byte[n];
        this.keyScales = new short[n / GROUP];
        this.valueScales = new short[n / GROUP];
        this.blockSize = blockSize;
        this.kvHeads = kvHeads;
        this.headDim = headDim;
    }

    /** A layer's cache of {@code blocks} blocks, zeroed. */
    public static Q8Kv allocate(int blocks, int blockSize, int kvHeads, int headDim) {
        return new Q8Kv(blocks, blockSize, kvHeads, headDim);
    }

    /** Why heads of {@code headDim} cannot be kept in Q8_0 blocks, or null where they can. */
    public static String unfit(int headDim) {
        return headDim % GROUP == 0 ? null
                : "a KV cache of q8_0 needs a head size that is a multiple of " + GROUP + "; this model's is " + headDim;
    }

    @Override
    public int blockSize() {
        return blockSize;
    }

    @Override
    public int kvHeads() {
        return kvHeads;
    }

    @Override
    public int headDim() {
        return headDim;
    }

    @Override
    public void store(float[] k, int kOff, float[] v, int vOff, int block, int slot) {
        for (int h = 0; h < kvHeads; h++) {
            int run = GroupedAttention.headRun(block, h, blockSize, kvHeads, headDim);
            for (int g = 0; g < headDim; g += GROUP) {
                int from = kOff + h * headDim + g;
                float inverse = inverse(k, from, keyScales, run / GROUP + g / GROUP * blockSize + slot);
                for (int i = 0; i < GROUP; i++) {
                    keys[run + (g + i) * blockSize + slot] = level(k[from + i], inverse);
                }
                int at = run + slot * headDim + g;
                int vFrom = vOff + h * headDim + g;
                inverse = inverse(v, vFrom, valueScales, at / GROUP);
                for (int i = 0; i < GROUP; i++) {
                    values[at + i] = level(v[vFrom + i], inverse);
                }
            }
        }
    }

    /** Stores the scale of {@code x[from .. from + 32)} as a half at {@code scales[at]}, and answers its inverse (0 for 0). */
    private static float inverse(float[] x, int from, short[] scales, int at) {
        float d = BlockQuantizer.q8Scale(x, from);
        scales[at] = Float.floatToFloat16(d);
        return d != 0 ? 1f / d : 0f;
    }

    /** {@code x / d} rounded to the nearest whole number, halves away from zero (llama.cpp's reference quantizer). */
    private static byte level(float x, float inverse) {
        return (byte) BlockQuantizer.roundAway(x * inverse);
    }

    @Override
    public void widen(int run, float[] keys, float[] values, int to) {
        int bs = blockSize;
        int scales = run / GROUP;
        for (int g = 0; g < headDim; g += GROUP) {
            // the group's first row of the destination holds its scales first, then (written last) its own elements
            int first = to + g * bs;
            int scaleRow = scales + g / GROUP * bs;
            for (int s = 0; s < bs; s++) {
                keys[first + s] = Float.float16ToFloat(keyScales[scaleRow + s]);
            }
            for (int d = g + GROUP - 1; d >= g; d--) {
                times(this.keys, run + d * bs, keys, first, keys, to + d * bs, bs);
            }
        }
        int n = bs * headDim;
        for (int e = 0; e < n; e += GROUP) {
            float d = Float.float16ToFloat(valueScales[scales + e / GROUP]);
            times(this.values, run + e, d, values, to + e);
        }
    }

    /** {@code dst[to + i] = q[from + i] × scale[at + i]} for i in [0, n): a row of key bytes times its row of scales. */
    private static void times(byte[] q, int from, float[] scale, int at, float[] dst, int to, int n) {
        int i = 0;
        if (B_LANES == L) {
            for (; i + L <= n; i += L) {
                FloatVector f = (FloatVector) ByteVector.fromArray(B, q, from + i).convertShape(VectorOperators.B2F, F, 0);
                f.mul(FloatVector.fromArray(F, scale, at + i)).intoArray(dst, to + i);
            }
        }
        for (; i < n; i++) {
            dst[to + i] = q[from + i] * scale[at + i];
        }
    }

    /** {@code dst[to + i] = q[from + i] × d} for the 32 elements of one value block. */
    private static void times(byte[] q, int from, float d, float[] dst, int to) {
        int i = 0;
        if (B_LANES == L) {
            FloatVector scale = FloatVector.broadcast(F, d);
            for (; i < GROUP; i += L) {
                FloatVector f = (FloatVector) ByteVector.fromArray(B, q, from + i).convertShape(VectorOperators.B2F, F, 0);
                f.mul(scale).intoArray(dst, to + i);
            }
        }
        for (; i < GROUP; i++) {
            dst[to + i] = q[from + i] * d;
        }
    }

    @Override
    public void copyBlock(int from, int to) {
        int n = blockElements();
        System.arraycopy(keys, from * n, keys, to * n, n);
        System.arraycopy(values, from * n, values, to * n, n);
        System.arraycopy(keyScales, from * n / GROUP, keyScales, to * n / GROUP, n / GROUP);
        System.arraycopy(valueScales, from * n / GROUP, valueScales, to * n / GROUP, n / GROUP);
    }
}
