package dev.tangram.inference.kv;

import java.util.ArrayList;
import java.util.List;

/**
 * The block table of one sequence: physical block {@code blocks.get(i)} holds positions {@code [i*blockSize,
 * (i+1)*blockSize)}, and the chain hashes of its leading full, computed blocks. In the table of the sliding-window
 * layers' pool, the leading blocks no window reaches any more are given back as the sequence grows: their entries are
 * {@link #NONE}.
 */
public final class SequenceBlocks {
    /** The entry of a block given back (or never taken, where no window reached it). */
    public static final int NONE = -1;

    private final List<Integer> blocks = new ArrayList<>();
    private final List<BlockHash> hashes = new ArrayList<>();
    /** Leading entries given back. */
    private int given;

    public int size() {
        return blocks.size();
    }

    public void add(int block) {
        blocks.add(block);
    }

    /** An entry for a block no window reaches: nothing is taken for it. */
    public void addNone() {
        blocks.add(NONE);
    }

    /** Gives back the blocks of the entries before {@code end} (a no-op for those already given back). */
    public void giveBackBefore(int end, BlockAllocator allocator) {
        for (int i = given; i < Math.min(end, blocks.size()); i++) {
            if (blocks.get(i) != NONE) {
                allocator.release(blocks.get(i));
                blocks.set(i, NONE);
            }
        }
        given = Math.max(given, Math.min(end, blocks.size()));
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
            if (b != NONE) {
                allocator.release(b);
            }
        }
        blocks.clear();
        hashes.clear();
        given = 0;
    }
}
