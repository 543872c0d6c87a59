package dev.tangram.inference.kernels;

/**
 * Keys and values as IEEE halves ({@code short[]}, the bits {@link Float#floatToFloat16} gives), each rounded to the
 * nearest half once, when it is stored. Widening is a plain loop, which C2 compiles to the CPU's half-to-float
 * instruction.
 */
public record HalfKv(short[] keys, short[] values, int blockSize, int kvHeads, int headDim) implements NarrowKv {
    public HalfKv {
        if (keys.length != values.length || keys.length % (blockSize * kvHeads * headDim) != 0) {
            throw new IllegalArgumentException("keys and values must both hold whole blocks of " + blockSize + " × " + kvHeads + " × "
                    + headDim + " elements, got " + keys.length + " and " + values.length);
        }
    }

    /** A layer's cache of {@code blocks} blocks, zeroed. */
    public static HalfKv allocate(int blocks, int blockSize, int kvHeads, int headDim) {
        int n = Math.multiplyExact(blocks, blockSize * kvHeads * headDim);
        return new HalfKv(new short[n], new short[n], blockSize, kvHeads, headDim);
    }

    @Override
    public void store(float[] k, int kOff, float[] v, int vOff, int block, int slot) {
        for (int h = 0; h < kvHeads; h++) {
            int run = GroupedAttention.headRun(block, h, blockSize, kvHeads, headDim);
            int from = kOff + h * headDim;
            for (int d = 0; d < headDim; d++) {
                keys[run + d * blockSize + slot] = Float.floatToFloat16(k[from + d]);
            }
            int at = run + slot * headDim;
            int vFrom = vOff + h * headDim;
            for (int d = 0; d < headDim; d++) {
                values[at + d] = Float.floatToFloat16(v[vFrom + d]);
            }
        }
    }

    @Override
    public void widen(int run, float[] keys, float[] values, int to) {
        int n = blockSize * headDim;
        widen(this.keys, run, keys, to, n);
        widen(this.values, run, values, to, n);
    }

    /** {@code n} halves from {@code src[from ..)} as floats into {@code dst[to ..)}. */
    private static void widen(short[] src, int from, float[] dst, int to, int n) {
        for (int i = 0; i < n; i++) {
            dst[to + i] = Float.float16ToFloat(src[from + i]);
        }
    }

    @Override
    public void copyBlock(int from, int to) {
        int n = blockElements();
        System.arraycopy(keys, from * n, keys, to * n, n);
        System.arraycopy(values, from * n, values, to * n, n);
    }
}
