package dev.tangram.inference.model;

import dev.tangram.inference.kernels.HalfKv;
import dev.tangram.inference.kernels.NarrowKv;
import dev.tangram.inference.kernels.Q8Kv;
import java.util.stream.IntStream;

/**
 * The paged KV cache: for every layer, K and V in fixed-size blocks of {@code blockSize} token slots. Physical block
 * {@code b} of layer {@code l} is elements {@code [offset(b, 0), offset(b + 1, 0))} of that layer's keys or values
 * (blockSize × kvDim elements). How a block's slots are laid out inside it is the forward pass's business: the Llama
 * forward pass keeps one run per KV head, keys transposed and values by slot ({@code GroupedAttention}); the test models
 * keep a record per slot at {@link #offset(int, int)}. Which block holds which positions of which sequence is the block
 * table's business (see {@link SequenceChunk}); this class only stores, and copies whole blocks. Elements are floats
 * ({@link KvCacheType#F32}, {@link #keys}, one array per layer and kind) or narrower ({@link KvCacheType#F16},
 * {@link KvCacheType#Q8_0}: {@link #narrow}, one per layer, in the Llama forward pass's layout).
 *
 * <p>A cache may keep the layers that attend over a sliding window ({@link SlidingWindow}) apart, in a pool of their own
 * of {@link #windowBlocks()} blocks: such a layer never reads a position more than a window behind the newest, so its
 * blocks can be given back as the window moves on, and its pool needs room for the windows of the running sequences
 * only. A sequence then has two block tables ({@link SequenceChunk#windowTable()}); block {@code b} of a windowed layer
 * is block {@code b} of that pool. Without such a pool ({@code windowBlocks} 0) every layer keeps every position in the
 * one pool of {@link #numBlocks()} blocks.
 */
public final class PagedKvCache {
    private final LlamaConfig config;
    private final KvCacheType type;
    private final int numBlocks;
    private final int windowBlocks;
    private final int blockSize;
    private final float[][] keys;
    private final float[][] values;
    private final NarrowKv[] narrow;

    /** A cache of floats ({@link KvCacheType#F32}). */
    public PagedKvCache(LlamaConfig config, int numBlocks, int blockSize) {
        this(config, numBlocks, blockSize, KvCacheType.F32);
    }

    /** A cache whose every layer keeps every position, in one pool of {@code numBlocks} blocks. */
    public PagedKvCache(LlamaConfig config, int numBlocks, int blockSize, KvCacheType type) {
        this(config, numBlocks, 0, blockSize, type);
    }

    /**
     * A cache whose sliding-window layers, where the model has any and {@code windowBlocks} is positive, keep their
     * positions in a pool of {@code windowBlocks} blocks of their own, and whose other layers keep theirs in a pool of
     * {@code numBlocks}.
     */
    public PagedKvCache(LlamaConfig config, int numBlocks, int windowBlocks, int blockSize, KvCacheType type) {
        if (numBlocks < 1 || blockSize < 1 || windowBlocks < 0) {
            throw new IllegalArgumentException("a KV cache needs at least one block of at least one slot");
        }
        if (windowBlocks > 0 && config.window().local().isEmpty()) {
            throw new IllegalArgumentException("a pool of " + windowBlocks + " blocks for sliding-window layers, but the model has none");
        }
        String unfit = type.unfit(config.headDim());
        if (unfit != null) {
            throw new IllegalArgumentException(unfit);
        }
        for (int pool : new int[] {numBlocks, windowBlocks}) {
            if ((long) pool * blockSize * config.kvDim() > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException("KV cache of " + pool + " blocks is too large for one array per layer");
            }
        }
        this.config = config;
        this.type = type;
        this.numBlocks = numBlocks;
        this.windowBlocks = windowBlocks;
        this.blockSize = blockSize;
        int layers = config.layers();
        boolean floats = type == KvCacheType.F32;
        this.keys = floats ? new float[layers][] : null;
        this.values = floats ? new float[layers][] : null;
        this.narrow = floats ? null : new NarrowKv[layers];
        // arrays allocated in parallel: the JVM zeroes each array and the OS maps its pages as it is zeroed, which for
        // tens of GiB took one thread 37-40 s at start (docs/hardware.md); 7.3 GB on the 2-core development VM: 2.9-6.1 s
        // on one thread, 2.3-2.4 s on two (docs/inference-server.md)
        if (floats) {
            IntStream.range(0, 2 * layers).parallel().forEach(i -> (i < layers ? keys : values)[i % layers] =
                    new float[blocks(i % layers) * blockSize * config.kvDim()]);
        } else {
            IntStream.range(0, layers).parallel().forEach(l -> narrow[l] = type == KvCacheType.F16
                    ? HalfKv.allocate(blocks(l), blockSize, config.kvHeads(), config.headDim())
                    : Q8Kv.allocate(blocks(l), blockSize, config.kvHeads(), config.headDim()));
        }
    }

    /** Bytes one block takes over all layers, K and V: 2 × layers × kvHeads × headDim × bytes per element × blockSize. */
    public static long bytesPerBlock(LlamaConfig config, int blockSize, KvCacheType type) {
        return bytesPerBlock(config, config.layers(), blockSize, type);
    }

    /** Bytes one block takes over {@code layers} of the model's layers, K and V. */
    public static long bytesPerBlock(LlamaConfig config, int layers, int blockSize, KvCacheType type) {
        return 2L * layers * type.bytes((long) config.kvHeads() * config.headDim() * blockSize);
    }

    /** Whether layer {@code layer} keeps its positions in the sliding-window layers' own pool (and reads the window table). */
    public boolean windowed(int layer) {
        return windowBlocks > 0 && config.window().isLocal(layer);
    }

    /** Blocks in the pool layer {@code layer} keeps its positions in. */
    public int blocks(int layer) {
        return windowed(layer) ? windowBlocks : numBlocks;
    }

    /** Blocks of the sliding-window layers' own pool; 0 where they keep every position beside the other layers. */
    public int windowBlocks() {
        return windowBlocks;
    }

    /** Layers that keep their positions in the sliding-window layers' own pool (0 where there is none). */
    public int windowedLayers() {
        return windowBlocks > 0 ? config.window().local().cardinality() : 0;
    }

    public KvCacheType type() {
        return type;
    }

    public LlamaConfig config() {
        return config;
    }

    /** Blocks of the pool that keeps every position (every layer's, or the layers' that do not slide). */
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

    private float[][] floats(float[][] arrays) {
        if (arrays == null) {
            throw new IllegalStateException("this KV cache holds " + type.word() + " elements, not floats");
        }
        return arrays;
    }

    /** Layer {@code layer}'s keys and values, in a cache of halves or Q8_0 blocks. */
    public NarrowKv narrow(int layer) {
        if (narrow == null) {
            throw new IllegalStateException("this KV cache holds f32 elements, not narrower ones");
        }
        return narrow[layer];
    }

    /**
     * {@code (block × blockSize + slot) × kvDim}: where block {@code block} starts (slot 0), and where a slot-by-slot
     * layout would put slot {@code slot}'s kvDim floats.
     */
    public int offset(int block, int slot) {
        return (block * blockSize + slot) * config.kvDim();
    }

    /** Copies one block's contents over another, in every layer (copy-on-write of a shared block), of a cache of one pool. */
    public void copyBlock(int from, int to) {
        if (windowBlocks > 0) {
            throw new IllegalStateException("blocks of a cache whose sliding-window layers have a pool of their own are copied pool by pool");
        }
        int n = blockSize * config.kvDim();
        for (int l = 0; l < config.layers(); l++) {
            if (narrow != null) {
                narrow[l].copyBlock(from, to);
            } else {
                System.arraycopy(keys[l], offset(from, 0), keys[l], offset(to, 0), n);
                System.arraycopy(values[l], offset(from, 0), values[l], offset(to, 0), n);
            }
        }
    }
}
