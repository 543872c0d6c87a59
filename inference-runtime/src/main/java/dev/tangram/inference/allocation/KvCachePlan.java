package dev.tangram.inference.allocation;

import dev.tangram.inference.model.KvCacheType;
import dev.tangram.inference.model.LlamaConfig;
import dev.tangram.inference.model.PagedKvCache;
import java.math.BigDecimal;

/**
 * The KV cache sizing: blocks = (budget × utilisation − weights − activations) ÷ bytes per block, where bytes per block
 * = 2 × layers × kv_heads × head_dim × bytes per element × block size. The cache lives in the JVM heap, so the blocks
 * are also capped by what the heap can hold; and one sequence of {@code maxModelLen} tokens must fit, else the server
 * refuses to start.
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
 */
public record KvCachePlan(MemoryBudget budget, double utilisation, long weightBytes, long activationBytes, KvCacheType type,
                          long bytesPerBlock, int blockSize, long budgetBlocks, long heapBlocks, int blocks, int maxModelLen, String refusal) {
    private static final double MIB = 1024.0 * 1024;

    public static KvCachePlan compute(MemoryBudget budget, double utilisation, LlamaConfig config, int blockSize, KvCacheType type,
                                      long weightBytes, long activationBytes, long heapBytes, int maxModelLen) {
        if (!(utilisation > 0 && utilisation <= 1)) {
            throw new IllegalArgumentException("utilisation must be in (0, 1], got " + utilisation);
        }
        String unfit = type.unfit(config.headDim());
        if (unfit != null) {
            return new KvCachePlan(budget, utilisation, weightBytes, activationBytes, type, 0, blockSize, 0, 0, 0, maxModelLen,
                    unfit + ": choose kvCache.type f16 or f32");
        }
        long perBlock = PagedKvCache.bytesPerBlock(config, blockSize, type);
        long usable = (long) (budget.bytes() * utilisation) - weightBytes - activationBytes;
        long budgetBlocks = Math.max(0, usable / perBlock);
        long heapBlocks = Math.max(0, (long) (heapBytes * utilisation - activationBytes) / perBlock);
        long arrayBlocks = (Integer.MAX_VALUE - 8L) / ((long) blockSize * config.kvDim());
        int blocks = (int) Math.min(Math.min(budgetBlocks, heapBlocks), arrayBlocks);
        int needed = (maxModelLen + blockSize - 1) / blockSize;
        String refusal = null;
        if (usable <= 0) {
            refusal = String.format("the model does not fit: weights %.0f MiB + activations %.0f MiB exceed %.0f MiB (%s × %.2f)",
                    weightBytes / MIB, activationBytes / MIB, budget.bytes() * utilisation / MIB, budget.source(), utilisation);
        } else if (blocks < needed) {
            refusal = String.format("the KV cache holds %d blocks (%d tokens) but one sequence of %d tokens needs %d blocks: "
                            + "give the pod more memory, raise memory.utilisation, %slower model.maxModelLen",
                    blocks, (long) blocks * blockSize, maxModelLen, needed, narrower(type, config.headDim()));
        }
        return new KvCachePlan(budget, utilisation, weightBytes, activationBytes, type, perBlock, blockSize, budgetBlocks, heapBlocks,
                blocks, maxModelLen, refusal);
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

    /** Tokens the cache holds. */
    public long tokens() {
        return (long) blocks * blockSize;
    }

    /** The whole arithmetic in one line, for the log and for humans. */
    public String arithmetic(LlamaConfig c) {
        String line = String.format("kv cache: (%.0f MiB [%s] × %.2f − weights %.1f MiB − activations %.1f MiB) ÷ %d B/block "
                        + "(2 × %d layers × %d kv heads × %d head dim × %s B [%s] × %d slots) = %d blocks",
                budget.bytes() / MIB, budget.source(), utilisation, weightBytes / MIB, activationBytes / MIB, bytesPerBlock,
                c.layers(), c.kvHeads(), c.headDim(), new BigDecimal(type.bytesPerElement()).toPlainString(), type.word(), blockSize,
                budgetBlocks);
        if (blocks < budgetBlocks) {
            line += String.format("; capped at %d blocks by the JVM heap (%d blocks fit)", blocks, heapBlocks);
        }
        line += String.format(" → %d tokens of cache, %.1f MiB", tokens(), blocks * (double) bytesPerBlock / MIB);
        return line;
    }
}
