package dev.tangram.inference.allocation;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryType;
import java.util.List;
import java.util.regex.Pattern;

/**
 * How many bytes of long-lived arrays (the KV cache) the JVM heap can still take. A generational collector keeps such
 * arrays in its old generation, which can be much smaller than the whole heap: the parallel and serial collectors give
 * it two thirds of {@code -Xmx} by default, so sizing the cache from {@link Runtime#maxMemory()} fails with an
 * {@link OutOfMemoryError} at start (seen on a 128 GiB GPU node, docs/hardware.md).
 */
public final class HeapRoom {
    /** Old-generation pool names: "PS Old Gen", "Tenured Gen", "G1 Old Gen", "ZGC Old Generation". */
    private static final Pattern OLD_GENERATION = Pattern.compile("Old Gen|Tenured");

    /** One heap memory pool as the JVM reports it; {@code max} is -1 where undefined. */
    public record Pool(String name, long max, long used) {
    }

    private HeapRoom() {
    }

    /** The room in this JVM's heap for long-lived arrays. */
    public static long forLongLivedArrays() {
        Runtime rt = Runtime.getRuntime();
        return of(heapPools(), rt.maxMemory(), rt.totalMemory() - rt.freeMemory());
    }

    /** This JVM's young generation's maximum (eden and survivors), or -1 where it has none. */
    public static long youngGenerationMax() {
        return youngMax(heapPools());
    }

    private static List<Pool> heapPools() {
        return ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(p -> p.getType() == MemoryType.HEAP)
                .map(p -> new Pool(p.getName(), p.getUsage().getMax(), p.getUsage().getUsed()))
                .toList();
    }

    /**
     * The sum of the maxima of the heap pools outside the old generation (eden and survivors), or -1 where one of them
     * has no maximum (G1 gives its young regions none) or there is no old generation to tell them from.
     */
    public static long youngMax(List<Pool> heapPools) {
        long sum = 0;
        boolean old = false;
        for (Pool p : heapPools) {
            if (OLD_GENERATION.matcher(p.name()).find()) {
                old = true;
            } else if (p.max() < 0) {
                return -1;
            } else {
                sum += p.max();
            }
        }
        return old ? sum : -1;
    }

    /**
     * The old generation's free room where the collector has one with a defined maximum, else the whole heap's.
     *
     * @param heapPools the heap's memory pools
     * @param maxHeap   {@link Runtime#maxMemory()}
     * @param usedHeap  bytes of the heap in use now
     */
    public static long of(List<Pool> heapPools, long maxHeap, long usedHeap) {
        for (Pool p : heapPools) {
            if (OLD_GENERATION.matcher(p.name()).find() && p.max() > 0) {
                return Math.max(0, Math.min(p.max(), maxHeap) - p.used());
            }
        }
        return Math.max(0, maxHeap - usedHeap);
    }
}
