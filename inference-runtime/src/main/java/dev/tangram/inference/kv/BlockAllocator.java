package dev.tangram.inference.kv;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;

/**
 * Hands out the physical blocks of the paged KV cache and keeps the automatic prefix cache.
 *
 * <p>Every block is in exactly one of three states: <em>free</em> (no owner, no cached content), <em>in use</em>
 * (reference count ≥ 1), or <em>evictable</em> (reference count 0 but holding a full block registered under its
 * {@link BlockHash}, kept for reuse and evicted least-recently-released first when no free block is left).
 * Not thread-safe: only the engine thread touches it.
 */
public final class BlockAllocator {
    private final int totalBlocks;
    private final int blockSize;
    private final int[] refCount;
    private final BlockHash[] hashOf;
    private final ArrayDeque<Integer> free = new ArrayDeque<>();
    /** Evictable blocks, least recently released first. */
    private final LinkedHashSet<Integer> evictable = new LinkedHashSet<>();
    private final Map<BlockHash, Integer> cached = new HashMap<>();
    private long evictions;

    public BlockAllocator(int totalBlocks, int blockSize) {
        if (totalBlocks < 1 || blockSize < 1) {
            throw new IllegalArgumentException("an allocator needs at least one block of at least one slot");
        }
        this.totalBlocks = totalBlocks;
        this.blockSize = blockSize;
        this.refCount = new int[totalBlocks];
        this.hashOf = new BlockHash[totalBlocks];
        for (int b = 0; b < totalBlocks; b++) {
            free.addLast(b);
        }
    }

    public int totalBlocks() {
        return totalBlocks;
    }

    public int blockSize() {
        return blockSize;
    }

    /** Blocks with neither an owner nor cached content. */
    public int freeBlocks() {
        return free.size();
    }

    /** Unreferenced blocks still holding cached content. */
    public int evictableBlocks() {
        return evictable.size();
    }

    /** Blocks an allocation could get now: free plus evictable. */
    public int availableBlocks() {
        return free.size() + evictable.size();
    }

    /** Blocks some sequence holds. */
    public int usedBlocks() {
        return totalBlocks - availableBlocks();
    }

    /** Cached blocks evicted so far to make room. */
    public long evictions() {
        return evictions;
    }

    public int refCount(int block) {
        return refCount[block];
    }

    /** Number of blocks needed to hold {@code tokens} token slots. */
    public int blocksFor(int tokens) {
        return (tokens + blockSize - 1) / blockSize;
    }

    /**
     * A block for one owner: a free one, or else the least recently released cached one (its cache entry dropped).
     * Empty when every block is in use.
     */
    public Optional<Integer> allocate() {
        Integer block = free.pollFirst();
        if (block == null) {
            var it = evictable.iterator();
            if (!it.hasNext()) {
                return Optional.empty();
            }
            block = it.next();
            it.remove();
            cached.remove(hashOf[block]);
            hashOf[block] = null;
            evictions++;
        }
        refCount[block] = 1;
        return Optional.of(block);
    }

    /** The cached block holding this token chain, now referenced once more; empty on a miss. */
    public Optional<Integer> lookup(BlockHash hash) {
        Integer block = cached.get(hash);
        if (block == null) {
            return Optional.empty();
        }
        if (refCount[block] == 0) {
            evictable.remove(block);
        }
        refCount[block]++;
        return Optional.of(block);
    }

    /** Whether a block with this token chain is cached (no reference taken). */
    public boolean contains(BlockHash hash) {
        return cached.containsKey(hash);
    }

    /**
     * Publishes a full, computed block under its chain hash so later sequences can share it. When another block
     * already holds that chain, this one stays private (and becomes free on release).
     */
    public void register(int block, BlockHash hash) {
        requireHeld(block);
        if (hashOf[block] != null || cached.containsKey(hash)) {
            return;
        }
        hashOf[block] = hash;
        cached.put(hash, block);
    }

    /** Drops one reference; at zero the block becomes evictable (if cached) or free. */
    public void release(int block) {
        requireHeld(block);
        if (--refCount[block] == 0) {
            if (hashOf[block] != null) {
                evictable.addLast(block);
            } else {
                free.addLast(block);
            }
        }
    }

    private void requireHeld(int block) {
        if (block < 0 || block >= totalBlocks || refCount[block] <= 0) {
            throw new IllegalStateException("block " + block + " is not held by anyone");
        }
    }
}
