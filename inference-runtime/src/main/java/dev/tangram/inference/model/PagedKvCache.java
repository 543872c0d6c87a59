package dev.tangram.inference.model;

import java.util.stream.IntStream;

/**
 * The paged KV cache: for every layer, K and V in fixed-size blocks of {@code blockSize} token slots. Physical block
 * {@code b} of layer {@code l} is elements {@code [offset(b, 0), offset(b + 1, 0))} of that layer's keys or values
 * (blockSize × kvDim elements). How a block's slots are laid out inside it is the forward pass's business: the Llama
 * forward pass keeps one run per KV head, keys transposed and values by slot ({@code GroupedAttention}); the test models
 * keep a record per slot at {@link #offset(int, int)}. Which block holds which positions of which sequence is the block
 * table's business (see {@link SequenceChunk}); this class only stores, and copies whole blocks. Elements are floats
 * ({@link KvCacheType#F32}, {@link #keys}) or IEEE halves ({@link KvCacheType#F16}, {@link #halfKeys}), one array per
 * layer and kind.
 */
public final class PagedKvCache {
    private final LlamaConfig config;
    private final KvCacheType type;
    private final int numBlocks;
    private final int blockSize;
    private final float[][] keys;
    private final float[][] values;
    private final short[][] halfKeys;
    private final short[][] halfValues;

    /** A cache of floats ({@link KvCacheType#F32}). */
    public PagedKvCache(LlamaConfig config, int numBlocks, int blockSize) {
        this(config, numBlocks, blockSize, KvCacheType.F32);
    }

    public PagedKvCache(LlamaConfig config, int numBlocks, int blockSize, KvCacheType type) {
        if (numBlocks < 1 || blockSize < 1) {
            throw new IllegalArgumentException("a KV cache needs at least one block of at least one slot");
        }
        long perLayer = (long) numBlocks * blockSize * config.kvDim();
        if (perLayer > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("KV cache of " + numBlocks + " blocks is too large for one array per layer");
        }
        this.config = config;
        this.type = type;
        this.numBlocks = numBlocks;
        this.blockSize = blockSize;
        int layers = config.layers();
        boolean half = type == KvCacheType.F16;
        this.keys = half ? null : new float[layers][];
        this.values = half ? null : new float[layers][];
        this.halfKeys = half ? new short[layers][] : null;
        this.halfValues = half ? new short[layers][] : null;
        // one array per layer and kind, allocated in parallel: the JVM zeroes each array and the OS maps its pages as it
        // is zeroed, which for tens of GiB took one thread 37-40 s at start (docs/hardware.md); 7.3 GB on the 2-core
        // development VM: 2.9-6.1 s on one thread, 2.3-2.4 s on two (docs/inference-server.md)
        IntStream.range(0, 2 * layers).parallel().forEach(i -> {
            int layer = i % layers;
            boolean key = i < layers;
            if (half) {
                (key ? halfKeys : halfValues)[layer] = new short[(int) perLayer];
            } else {
                (key ? keys : values)[layer] = new float[(int) perLayer];
            }
        });
    }

    /** Bytes one block takes over all layers, K and V: 2 × layers × kvHeads × headDim × bytes per element × blockSize. */
    public static long bytesPerBlock(LlamaConfig config, int blockSize, KvCacheType type) {
        return 2L * config.layers() * config.kvHeads() * config.headDim() * type.bytes() * blockSize;
    }

    public KvCacheType type() {
        return type;
    }

    public LlamaConfig config() {
        return config;
    }

    public int numBlocks() {
        return numBlocks;
    }

    public int blockSize() {
        return blockSize;
    }

    /** Layer {@code layer}'s keys, in a cache of floats. */
    public float[] keys(int layer) {
        return floats(keys)[layer];
    }

    /** Layer {@code layer}'s values, in a cache of floats. */
    public float[] values(int layer) {
        return floats(values)[layer];
    }

    /** Layer {@code layer}'s keys, in a cache of halves (their bits, as {@link Float#floatToFloat16} gives them). */
    public short[] halfKeys(int layer) {
        return halves(halfKeys)[layer];
    }

    /** Layer {@code layer}'s values, in a cache of halves. */
    public short[] halfValues(int layer) {
        return halves(halfValues)[layer];
    }

    private float[][] floats(float[][] arrays) {
        if (arrays == null) {
            throw new IllegalStateException("this KV cache holds " + type.word() + " elements, not floats");
        }
        return arrays;
    }

    private short[][] halves(short[][] arrays) {
        if (arrays == null) {
            throw new IllegalStateException("this KV cache holds " + type.word() + " elements, not halves");
        }
        return arrays;
    }

    /**
     * {@code (block × blockSize + slot) × kvDim}: where block {@code block} starts (slot 0), and where a slot-by-slot
     * layout would put slot {@code slot}'s kvDim floats.
     */
    public int offset(int block, int slot) {
        return (block * blockSize + slot) * config.kvDim();
    }

    /** Copies one block's contents over another, in every layer (copy-on-write of a shared block). */
    public void copyBlock(int from, int to) {
        int n = blockSize * config.kvDim();
        for (int l = 0; l < config.layers(); l++) {
            Object k = keys != null ? keys[l] : halfKeys[l];
            Object v = values != null ? values[l] : halfValues[l];
            System.arraycopy(k, offset(from, 0), k, offset(to, 0), n);
            System.arraycopy(v, offset(from, 0), v, offset(to, 0), n);
        }
    }
}
