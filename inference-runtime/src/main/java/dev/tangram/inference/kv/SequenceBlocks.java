package dev.tangram.inference.kv;

import java.util.ArrayList;
import java.util.List;

/**
 * The block table of one sequence: physical block {@code blocks.get(i)} holds positions {@code [i*blockSize,
 * (i+1)*blockSize)}, and the chain hashes of its leading full, computed blocks.
 */
public final class SequenceBlocks {
    private final List<Integer> blocks = new ArrayList<>();
    private final List<BlockHash> hashes = new ArrayList<>();

    public int size() {
        return blocks.size();
    }

    public void add(int block) {
        blocks.add(block);
    }

    public int block(int i) {
        return blocks.get(i);
    }

    public int[] toArray() {
        return blocks.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Number of leading blocks whose chain hash is known. */
    public int hashedBlocks() {
        return hashes.size();
    }

    public BlockHash lastHash() {
        return hashes.isEmpty() ? BlockHash.ROOT : hashes.getLast();
    }

    public void addHash(BlockHash hash) {
        hashes.add(hash);
    }

    /** Gives every block back to the allocator and forgets the table. */
    public void releaseAll(BlockAllocator allocator) {
        for (int b : blocks) {
            allocator.release(b);
        }
        blocks.clear();
        hashes.clear();
    }
}
