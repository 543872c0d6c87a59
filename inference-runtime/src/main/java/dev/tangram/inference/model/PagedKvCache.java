package dev.tangram.inference.model;

import java.util.stream.IntStream;

/**
 * The paged KV cache: for every layer, K and V in fixed-size blocks of {@code blockSize} token slots. Physical block
 * {@code b} of layer {@code l} is {@code keys(l)[offset(b, 0) .. offset(b + 1, 0))} (blockSize × kvDim floats), values
 * likewise. How a block's slots are laid out inside it is the forward pass's business: the Llama forward pass keeps
 * one run per KV head, keys transposed and values by slot ({@code GroupedAttention}); the test models keep a record
 * per slot at {@link #offset(int, int)}. Which block holds which positions of which sequence is the block table's
 * business (see {@link SequenceChunk}); this class only stores, and copies whole blocks. Elements are float32, so bytes
 * per element is 4.
 */
public final class PagedKvCache {
    public static final int BYTES_PER_ELEMENT = Float.BYTES;

    private final LlamaConfig config;
    private final int numBlocks;
    private final int blockSize;
    private final float[][] keys;
    private final float[][] values;

    public PagedKvCache(LlamaConfig config, int numBlocks, int blockSize) {
        if (numBlocks < 1 || blockSize < 1) {
            throw new IllegalArgumentException("a KV cache needs at least one block of at least one slot");
        }
        long perLayer = (long) numBlocks * blockSize * config.kvDim();
        if (perLayer > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("KV cache of " + numBlocks + " blocks is too large for one array per layer");
        }
        this.config = config;
        this.numBlocks = numBlocks;
        this.blockSize = blockSize;
        this.keys = new float[config.layers()][];
        this.values = new float[config.layers()][];
        // one array per layer and kind, allocated in parallel: the JVM zeroes each array and the OS maps its pages as it
        // is zeroed, which for tens of GiB took one thread 37-40 s at start (docs/hardware.md); 7.3 GB on the 2-core
        // development VM: 2.9-6.1 s on one thread, 2.3-2.4 s on two (docs/inference-server.md)
        int layers = config.layers();
        IntStream.range(0, 2 * layers).parallel().forEach(i -> {
            float[] array = new float[(int) perLayer];
            if (i < layers) {
                keys[i] = array;
            } else {
                values[i - layers] = array;
            }
        });
    }

    /** Bytes one block takes over all layers, K and V: 2 × layers × kvHeads × headDim × bytes × blockSize. */
    public static long bytesPerBlock(LlamaConfig config, int blockSize) {
        return 2L * config.layers() * config.kvHeads() * config.headDim() * BYTES_PER_ELEMENT * blockSize;
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

    public float[] keys(int layer) {
        return keys[layer];
    }

    public float[] values(int layer) {
        return values[layer];
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
            System.arraycopy(keys[l], offset(from, 0), keys[l], offset(to, 0), n);
            System.arraycopy(values[l], offset(from, 0), values[l], offset(to, 0), n);
        }
    }
}
