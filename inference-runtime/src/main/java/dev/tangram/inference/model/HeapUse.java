package dev.tangram.inference.model;

import java.util.Locale;

/**
 * The most of the JVM heap a process will fill, for {@link LayoutChoice} to set beside the lane copy, and how that was
 * worked out. By default the heap's maximum ({@link #maximum}). A server whose heap holds only its KV cache, a step's
 * activations and its requests' objects fills less ({@link #serving}): with a generational collector the old generation
 * holds what lives (what is in use now, then the cache and the activations, which the memory budget bounds) and the
 * young generation never grows past its own maximum, however much garbage passes through it.
 *
 * @param bytes the bound
 * @param how   the arithmetic, for the layout line
 */
public record HeapUse(long bytes, String how) {
    /** Kept beside the budget for objects that live with requests: queued prompts, block tables, metrics. */
    public static final long REQUEST_OBJECTS = 256L << 20;

    /** The heap's maximum ({@link Runtime#maxMemory()}): nothing known about what it will hold. */
    public static HeapUse maximum(long maxHeap) {
        return new HeapUse(maxHeap, String.format(Locale.ROOT, "a heap of up to %.1f GiB", gib(maxHeap)));
    }

    /**
     * What a server's heap fills at most: what is in use now, the young generation's maximum, what the memory budget
     * leaves its KV cache and activations once the weights are counted, and {@link #REQUEST_OBJECTS}; the heap's maximum
     * where that is less, or where the young generation has no fixed maximum ({@code youngMax} < 0, as with G1).
     *
     * @param maxHeap    {@link Runtime#maxMemory()}
     * @param usedNow    bytes of the heap in use now (the tokenizer loaded)
     * @param youngMax   the young generation's maximum (eden and survivors), or -1 where it has none
     * @param budgetLeft the memory budget × utilisation less the weights: the most the KV cache and activations take
     */
    public static HeapUse serving(long maxHeap, long usedNow, long youngMax, long budgetLeft) {
        if (youngMax < 0) {
            return maximum(maxHeap);
        }
        long left = Math.max(0, budgetLeft);
        long bound = usedNow + youngMax + left + REQUEST_OBJECTS;
        if (bound >= maxHeap) {
            return maximum(maxHeap);
        }
        return new HeapUse(bound, String.format(Locale.ROOT, "a heap filled to at most %.1f GiB of its %.1f GiB (%.1f GiB in use, a young "
                + "generation of up to %.1f GiB, %.1f GiB the budget leaves the KV cache and activations, %d MiB for requests)", gib(bound),
                gib(maxHeap), gib(usedNow), gib(youngMax), gib(left), REQUEST_OBJECTS >> 20));
    }

    private static double gib(long bytes) {
        return bytes / (1024.0 * 1048576.0);
    }
}
