package dev.tangram.inference.model;

import java.util.BitSet;

/**
 * Layers that attend over a sliding window (Gemma 3's local layers) and the RoPE they use: a query at position
 * {@code p} sees the keys at positions {@code p - size + 1 … p} (llama.cpp's standard window: masked where
 * {@code p - p0 >= size}). The other layers attend over the whole sequence.
 *
 * @param size      positions a local layer's query sees, itself included ({@code <arch>.attention.sliding_window})
 * @param local     which layers are local
 * @param ropeTheta the local layers' RoPE base ({@code <arch>.rope.freq_base_swa})
 * @param ropeScale the local layers' RoPE position scale (Gemma 3's take none, 1; Gemma 2's the global layers')
 */
public record SlidingWindow(int size, BitSet local, float ropeTheta, float ropeScale) {
    /** No layer slides. */
    public static final SlidingWindow NONE = new SlidingWindow(0, new BitSet(), 10000f, 1f);

    public SlidingWindow {
        if (size < 0 || (size == 0) != local.isEmpty()) {
            throw new IllegalArgumentException("a sliding window needs a positive size and local layers, or neither: " + size + ", " + local);
        }
        if (!(ropeTheta > 0 && Float.isFinite(ropeTheta) && ropeScale > 0 && Float.isFinite(ropeScale))) {
            throw new IllegalArgumentException("the local layers' RoPE base and scale must be positive and finite: " + ropeTheta + ", "
                    + ropeScale);
        }
        local = (BitSet) local.clone();
    }

    /**
     * llama.cpp's pattern of {@code n}: every {@code n}th layer is global, the {@code n - 1} before it local (layers
     * {@code l} with {@code l % n < n - 1}); 0 makes every layer local.
     */
    public static BitSet pattern(int n, int layers) {
        BitSet local = new BitSet(layers);
        for (int l = 0; l < layers; l++) {
            if (n == 0 || l % n < n - 1) {
                local.set(l);
            }
        }
        return local;
    }

    /** Whether layer {@code l} slides. */
    public boolean isLocal(int l) {
        return local.get(l);
    }

    /** The first position a query at {@code position} sees in layer {@code l}. */
    public int first(int l, int position) {
        return isLocal(l) ? firstInWindow(position) : 0;
    }

    /** The first position a query at {@code position} sees in a sliding-window layer. */
    public int firstInWindow(int position) {
        return Math.max(0, position - size + 1);
    }

    /**
     * The most blocks of {@code blockSize} positions one sequence of up to {@code tokens} positions holds at once in a
     * sliding-window layers' pool, computed in chunks of up to {@code chunk} tokens: those its window reaches behind a
     * chunk and the chunk's own, one more where the window starts inside a block; never more than the whole sequence's.
     * What the scheduler admits a request against, and the least a window pool is sized to.
     */
    public int peakBlocks(int tokens, int blockSize, int chunk) {
        return Math.min(Math.ceilDiv(tokens, blockSize), Math.ceilDiv(size - 1 + chunk, blockSize) + 1);
    }

    @Override
    public BitSet local() {
        return (BitSet) local.clone();
    }
}
