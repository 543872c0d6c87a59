package dev.tangram.inference.allocation;

import dev.tangram.inference.model.KvCacheType;
import dev.tangram.inference.model.LlamaConfig;
import dev.tangram.inference.model.PagedKvCache;
import dev.tangram.inference.model.SlidingWindow;
import dev.tangram.inference.model.WindowCache;
import dev.tangram.inference.model.Worded;
import java.math.BigDecimal;

/**
 * The KV cache sizing: blocks = (budget × utilisation − weights − activations) ÷ bytes per block, where bytes per block
 * = 2 × layers × kv_heads × head_dim × bytes per element × block size. The cache lives in the JVM heap, so the blocks
 * are also capped by what the heap can hold; and one sequence of {@code maxModelLen} tokens must fit, else the server
 * refuses to start.
 *
 * <p>A model with sliding-window layers ({@link WindowCache#WINDOW}) may keep those layers in a pool of their own, sized
 * for the windows of the running sequences and as many ended ones ({@link #windowPoolBlocks}); the budget less that pool
 * is then divided among blocks of the other layers only. Where that split does not pay (it does not fit, or gives the
 * cache fewer tokens than one pool of every layer does), the pool is sized from the budget instead
 * ({@link Sizing#BALANCED}): for as many sequences of {@code maxModelLen} as the full-attention layers' pool then holds.
 * The plan takes a split only where a window reaches less far than a whole sequence of {@code maxModelLen}, and only
 * where it fits and gives the cache more tokens than one pool.
 *
 * @param budget          the memory budget and its source
 * @param utilisation     the fraction of the budget the server may use
 * @param weightBytes     bytes of the weights
 * @param activationBytes bytes of scratch for one step at the batch token budget
 * @param type            what one cached element is stored as (its bytes per element)
 * @param bytesPerBlock   bytes of one KV block
 * @param blockSize       token slots per block
 * @param budgetBlocks    blocks the budget allows
 * @param heapBlocks      blocks the JVM heap allows
 * @param blocks          blocks the cache gets (the smaller of the two, and of the largest cache one array per layer holds)
 * @param maxModelLen     the longest sequence to serve
 * @param refusal         why the server cannot start, or null when it fits
 * @param window          the sliding-window layers' own pool, or {@link WindowPool#NONE} where every layer is in the one
 */
public record KvCachePlan(MemoryBudget budget, double utilisation, long weightBytes, long activationBytes, KvCacheType type,
                          long bytesPerBlock, int blockSize, long budgetBlocks, long heapBlocks, int blocks, int maxModelLen, String refusal,
                          WindowPool window) {
    private static final double MIB = 1024.0 * 1024;

    /**
     * The sliding-window layers' own pool.
     *
     * @param layers        how many layers keep their positions in it (0: there is no such pool)
     * @param size          positions one of their queries sees
     * @param blocks        its blocks
     * @param bytesPerBlock bytes of one of its blocks: 2 × layers × kv_heads × head_dim × bytes per element × block size
     * @param sizing        what it was sized for
     * @param sequences     the sequences whose windows it holds (beside one step's tokens): the running ones and as many
     *                      ended ones, or as many as the full-attention layers hold at the longest
     */
    public record WindowPool(int layers, int size, int blocks, long bytesPerBlock, Sizing sizing, double sequences) {
        public static final WindowPool NONE = new WindowPool(0, 0, 0, 0, Sizing.NONE, 0);

        public long bytes() {
            return blocks * bytesPerBlock;
        }
    }

    /** What a sliding-window layers' pool was sized for. */
    public enum Sizing implements Worded {
        /** There is no such pool. */
        NONE,
        /** The windows of every sequence that may run at once ({@code maxRunning}), and as many again for the prefix cache. */
        RUNNING,
        /**
         * A budget too small for that: the windows of as many sequences of {@code maxModelLen} as the full-attention layers'
         * pool holds, so that neither pool runs out first at that length.
         */
        BALANCED
    }

    /** The plan of a cache whose every layer keeps every position. */
    public static KvCachePlan compute(MemoryBudget budget, double utilisation, LlamaConfig config, int blockSize, KvCacheType type,
                                      long weightBytes, long activationBytes, long heapBytes, int maxModelLen) {
        return compute(budget, utilisation, config, blockSize, type, weightBytes, activationBytes, heapBytes, maxModelLen, WindowCache.FULL,
                1, 1);
    }

    /**
     * The plan, with the sliding-window layers in a pool of their own where {@code windowCache} asks for it, the model has
     * such layers and the split holds more tokens; {@code maxRunning} and {@code maxBatchTokens} are the scheduler's.
     */
    public static KvCachePlan compute(MemoryBudget budget, double utilisation, LlamaConfig config, int blockSize, KvCacheType type,
                                      long weightBytes, long activationBytes, long heapBytes, int maxModelLen, WindowCache windowCache,
                                      int maxRunning, int maxBatchTokens) {
        if (!(utilisation > 0 && utilisation <= 1)) {
            throw new IllegalArgumentException("utilisation must be in (0, 1], got " + utilisation);
        }
        String unfit = type.unfit(config.headDim());
        if (unfit != null) {
            return new KvCachePlan(budget, utilisation, weightBytes, activationBytes, type, 0, blockSize, 0, 0, 0, maxModelLen,
                    unfit + ": choose kvCache.type f16 or f32", WindowPool.NONE);
        }
        int windowed = config.window().local().cardinality();
        boolean slides = windowed > 0 && windowed < config.layers();
        KvCachePlan whole = compute(budget, utilisation, config, blockSize, type, weightBytes, activationBytes, heapBytes, maxModelLen,
                WindowPool.NONE, slides && windowCache == WindowCache.FULL
                        ? "keep the sliding-window layers' windows apart (kvCache.slidingWindow: window), " : "");
        if (windowCache == WindowCache.FULL || !slides) {
            return whole;
        }
        int size = config.window().size();
        if (blocksFor(size - 1, blockSize) + 2 >= blocksFor(maxModelLen, blockSize)) {
            return whole; // a window reaches about as far as a whole sequence: a pool of their own would save nothing
        }
        long windowBytes = PagedKvCache.bytesPerBlock(config, windowed, blockSize, type);
        int running = windowPoolBlocks(size, blockSize, maxRunning, maxBatchTokens);
        KvCachePlan split = compute(budget, utilisation, config, blockSize, type, weightBytes, activationBytes, heapBytes, maxModelLen,
                new WindowPool(windowed, size, running, windowBytes, Sizing.RUNNING, 2.0 * maxRunning), "");
        if (split.beats(whole)) {
            return split;
        }
        // the budget cannot give every running sequence its window and a cached one: share it by what a longest one needs
        long fullBytes = PagedKvCache.bytesPerBlock(config, config.layers() - windowed, blockSize, type);
        long room = Math.min((long) (budget.bytes() * utilisation) - weightBytes, (long) (heapBytes * utilisation)) - activationBytes;
        double sequences = balancedSequences(room, windowBytes, fullBytes, size, blockSize, maxModelLen, maxBatchTokens);
        int balanced = balancedPoolBlocks(sequences, config.window(), blockSize, maxModelLen, maxBatchTokens);
        if (balanced >= running) {
            return whole;
        }
        KvCachePlan shared = compute(budget, utilisation, config, blockSize, type, weightBytes, activationBytes, heapBytes, maxModelLen,
                new WindowPool(windowed, size, balanced, windowBytes, Sizing.BALANCED, sequences), "");
        return shared.beats(whole) ? shared : whole;
    }

    /** Whether this plan fits and holds more tokens than {@code other}, or {@code other} does not fit. */
    private boolean beats(KvCachePlan other) {
        return fits() && (!other.fits() || tokens() > other.tokens());
    }

    /**
     * How many sequences of {@code maxModelLen} positions {@code room} bytes hold, each with its window in the window
     * pool ({@code windowBytes} a block) and every position in the full-attention layers' ({@code fullBytes} a block),
     * beside one step's tokens in the window pool: where both pools hold that many, neither runs out first at that length.
     */
    static double balancedSequences(long room, long windowBytes, long fullBytes, int size, int blockSize, int maxModelLen,
                                    int maxBatchTokens) {
        long step = (long) blocksFor(maxBatchTokens, blockSize) * windowBytes;
        long perSequence = (long) windowReach(size, blockSize) * windowBytes + (long) blocksFor(maxModelLen, blockSize) * fullBytes;
        return Math.max(0, (room - step) / (double) perSequence);
    }

    /**
     * The window pool's blocks for the windows of {@code sequences} sequences and one step's tokens; no fewer than one
     * sequence of {@code maxModelLen} holds at once in chunks of {@code maxBatchTokens} ({@link SlidingWindow#peakBlocks},
     * what the scheduler admits a request against), so that it can be served.
     */
    static int balancedPoolBlocks(double sequences, SlidingWindow window, int blockSize, int maxModelLen, int maxBatchTokens) {
        long blocks = (long) Math.ceil(sequences * windowReach(window.size(), blockSize)) + blocksFor(maxBatchTokens, blockSize);
        int peak = window.peakBlocks(maxModelLen, blockSize, maxBatchTokens);
        return (int) Math.min(Integer.MAX_VALUE / 2, Math.max(peak, blocks));
    }

    /** Blocks one sequence's window holds at once: those its reach covers, one more where it starts inside a block, one for a chunk's ragged end. */
    private static int windowReach(int size, int blockSize) {
        return blocksFor(size - 1, blockSize) + 2;
    }

    /**
     * Blocks of the sliding-window layers' pool: for each of {@code maxRunning} sequences the blocks a window of
     * {@code size} positions reaches (one more where it starts inside a block) and one for a chunk's ragged end, the
     * blocks of one step's {@code maxBatchTokens} tokens; and as many again, so that the prefix cache keeps the last windows
     * of sequences that have ended.
     */
    static int windowPoolBlocks(int size, int blockSize, int maxRunning, int maxBatchTokens) {
        long running = (long) maxRunning * windowReach(size, blockSize) + blocksFor(maxBatchTokens, blockSize);
        return (int) Math.min(Integer.MAX_VALUE / 2, 2 * running);
    }

    private static int blocksFor(int tokens, int blockSize) {
        return (tokens + blockSize - 1) / blockSize;
    }

    /** The plan with the sliding-window layers' pool {@code window}; {@code advice} goes first among a refusal's remedies. */
    private static KvCachePlan compute(MemoryBudget budget, double utilisation, LlamaConfig config, int blockSize, KvCacheType type,
                                       long weightBytes, long activationBytes, long heapBytes, int maxModelLen, WindowPool window,
                                       String advice) {
        long perBlock = PagedKvCache.bytesPerBlock(config, config.layers() - window.layers(), blockSize, type);
        long usable = (long) (budget.bytes() * utilisation) - weightBytes - activationBytes - window.bytes();
        long budgetBlocks = Math.max(0, usable / perBlock);
        long heapBlocks = Math.max(0, (long) (heapBytes * utilisation - activationBytes - window.bytes()) / perBlock);
        long arrayBlocks = (Integer.MAX_VALUE - 8L) / ((long) blockSize * config.kvDim());
        int blocks = (int) Math.min(Math.min(budgetBlocks, heapBlocks), arrayBlocks);
        int needed = blocksFor(maxModelLen, blockSize);
        String refusal = null;
        if (window.blocks() > arrayBlocks) {
            refusal = String.format("the sliding-window layers' pool of %d blocks is too large for one array per layer", window.blocks());
        } else if (usable <= 0) {
            refusal = String.format("the model does not fit: weights %.0f MiB + activations %.0f MiB%s exceed %.0f MiB (%s × %.2f)",
                    weightBytes / MIB, activationBytes / MIB, window.layers() > 0 ? String.format(" + sliding-window layers %.0f MiB",
                            window.bytes() / MIB) : "", budget.bytes() * utilisation / MIB, budget.source(), utilisation);
        } else if (blocks < needed) {
            refusal = String.format("the KV cache holds %d blocks (%d tokens) but one sequence of %d tokens needs %d blocks: "
                            + "%sgive the pod more memory, raise memory.utilisation, %slower model.maxModelLen",
                    blocks, (long) blocks * blockSize, maxModelLen, needed, advice, narrower(type, config.headDim()));
        }
        return new KvCachePlan(budget, utilisation, weightBytes, activationBytes, type, perBlock, blockSize, budgetBlocks, heapBlocks,
                blocks, maxModelLen, refusal, window);
    }

    /** The refusal's advice to store the cache in a narrower type, where there is one for the model's heads. */
    private static String narrower(KvCacheType type, int headDim) {
        return switch (type) {
            case F32 -> "store the cache in halves (kvCache.type: f16), or ";
            case F16 -> KvCacheType.Q8_0.unfit(headDim) == null ? "store the cache in Q8_0 blocks (kvCache.type: q8_0), or " : "or ";
            case Q8_0 -> "or ";
        };
    }

    public boolean fits() {
        return refusal == null;
    }

    /** Tokens the cache holds (in every layer; a sliding-window layer's pool holds what its windows reach). */
    public long tokens() {
        return (long) blocks * blockSize;
    }

    /** The whole arithmetic in one line, for the log and for humans. */
    public String arithmetic(LlamaConfig c) {
        String perElement = new BigDecimal(type.bytesPerElement()).toPlainString();
        String line = String.format("kv cache: (%.0f MiB [%s] × %.2f − weights %.1f MiB − activations %.1f MiB%s) ÷ %d B/block "
                        + "(2 × %d %slayers × %d kv heads × %d head dim × %s B [%s] × %d slots) = %d blocks",
                budget.bytes() / MIB, budget.source(), utilisation, weightBytes / MIB, activationBytes / MIB,
                window.layers() > 0 ? String.format(" − sliding-window layers %.1f MiB", window.bytes() / MIB) : "", bytesPerBlock,
                c.layers() - window.layers(), window.layers() > 0 ? "full-attention " : "", c.kvHeads(), c.headDim(), perElement, type.word(),
                blockSize, budgetBlocks);
        if (blocks < budgetBlocks) {
            line += String.format("; capped at %d blocks by the JVM heap (%d blocks fit)", blocks, heapBlocks);
        }
        line += String.format(" → %d tokens of cache, %.1f MiB", tokens(), blocks * (double) bytesPerBlock / MIB);
        if (window.layers() > 0) {
            line += String.format("; the %d sliding-window layers keep their %d-position windows apart: %d blocks × %d B (2 × %d layers × "
                            + "%d kv heads × %d head dim × %s B [%s] × %d slots) = %.1f MiB", window.layers(), window.size(), window.blocks(),
                    window.bytesPerBlock(), window.layers(), c.kvHeads(), c.headDim(), perElement, type.word(), blockSize,
                    window.bytes() / MIB);
            line += switch (window.sizing()) {
                case RUNNING -> String.format(", the windows of %d running sequences and as many ended ones", (int) window.sequences() / 2);
                case BALANCED -> String.format(", the windows of %.1f sequences of %d tokens, as many as the full-attention layers hold "
                        + "(the budget is too small for the windows of every running sequence and as many ended ones)", window.sequences(),
                        maxModelLen);
                case NONE -> "";
            };
        }
        return line;
    }
}
