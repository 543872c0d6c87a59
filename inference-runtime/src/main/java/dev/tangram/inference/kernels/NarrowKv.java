package dev.tangram.inference.kernels;

/**
 * One layer's keys and values stored in fewer bits than floats, in {@link GroupedAttention}'s layout: within a cache
 * block each KV head has a run of blockSize × headDim elements, keys transposed ({@code [headDim][slot]}) and values by
 * slot ({@code [slot][headDim]}). Attention never reads the narrow form: it widens a run into floats first
 * ({@link #widen}) and runs the float kernel over them, so every cache type shares the float arithmetic. One instance
 * per layer, shared by the threads of the pool: {@link #store} writes only its own slot, {@link #widen} only reads.
 */
public sealed interface NarrowKv permits HalfKv, Q8Kv {
    /** Token slots per cache block. */
    int blockSize();

    int kvHeads();

    int headDim();

    /**
     * Stores one token's keys and values ({@code kvHeads × headDim} floats each, from {@code k[kOff ..)} and
     * {@code v[vOff ..)}) into slot {@code slot} of block {@code block}.
     */
    void store(float[] k, int kOff, float[] v, int vOff, int block, int slot);

    /**
     * Widens the run that starts at element {@code run} ({@link GroupedAttention#headRun}) of the keys into
     * {@code keys[to ..)} and of the values into {@code values[to ..)}: blockSize × headDim floats each, in the run's layout.
     */
    void widen(int run, float[] keys, float[] values, int to);

    /** Copies block {@code from}'s contents over block {@code to} (copy-on-write of a shared block). */
    void copyBlock(int from, int to);

    /** Elements of one block's keys (as many for values): blockSize × kvHeads × headDim. */
    default int blockElements() {
        return blockSize() * kvHeads() * headDim();
    }
}
