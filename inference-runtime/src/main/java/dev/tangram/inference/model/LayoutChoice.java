package dev.tangram.inference.model;

import dev.tangram.inference.kernels.WeightLayout;
import java.util.Locale;

/**
 * The weight layout a model is loaded with, and why. {@link WeightLayout#LANES} copies the Q8_0, Q4_0 and K-quant matrices into
 * anonymous memory, which, unlike the mapped file's page cache, the kernel cannot drop under pressure; with the JVM's heap
 * sized as a share of the container's memory, a copy that does not fit beside it gets the process killed. So
 * {@link WeightLayout#AUTO} takes lanes only where the copy fits in the machine's (or container's) memory beside the
 * most the heap will fill ({@link HeapUse}: its maximum, or less for a server whose budget bounds its cache) and a
 * reserve for the JVM's own memory, and rows otherwise. A pure function; the memory figures come from the caller.
 *
 * @param layout {@link WeightLayout#LANES} or {@link WeightLayout#ROWS}
 * @param reason "configured", or the arithmetic behind an automatic choice
 */
public record LayoutChoice(WeightLayout layout, String reason) {
    /** Memory kept for the JVM itself beside the heap: metaspace, code cache, thread stacks, direct buffers. */
    public static final long JVM_RESERVE = 512L << 20;

    public LayoutChoice {
        if (layout == WeightLayout.AUTO) {
            throw new IllegalArgumentException("a choice is lanes or rows, not auto");
        }
    }

    /**
     * The layout for {@code setting}: a configured one as it is; {@code auto}: lanes when {@code laneBytes} (the matrices
     * that would be copied) fit in {@code memoryBytes} (the machine's or container's memory) less {@code maxHeapBytes} and
     * {@link #JVM_RESERVE}, else rows; rows as well when there is nothing to copy.
     */
    public static LayoutChoice choose(WeightLayout setting, long laneBytes, long memoryBytes, long maxHeapBytes) {
        return choose(setting, laneBytes, memoryBytes, HeapUse.maximum(maxHeapBytes));
    }

    /** As above, with the most the heap will fill worked out by the caller ({@link HeapUse}) in place of its maximum. */
    public static LayoutChoice choose(WeightLayout setting, long laneBytes, long memoryBytes, HeapUse heap) {
        if (setting != WeightLayout.AUTO) {
            return new LayoutChoice(setting, "configured");
        }
        if (laneBytes == 0) {
            return new LayoutChoice(WeightLayout.ROWS, "auto: no Q8_0/Q4_0/K-quant matrix to rearrange");
        }
        long room = memoryBytes - heap.bytes() - JVM_RESERVE;
        String figures = String.format(Locale.ROOT, "%.1f MiB to rearrange, %.1f GiB of memory, %s and %d MiB kept for the JVM",
                mib(laneBytes), gib(memoryBytes), heap.how(), JVM_RESERVE >> 20);
        if (laneBytes <= room) {
            return new LayoutChoice(WeightLayout.LANES, "auto: " + figures);
        }
        return new LayoutChoice(WeightLayout.ROWS, "auto: " + figures + ": the copy would not fit, so the matrices stay in the "
                + "mapped file (engine.weightLayout: lanes forces the copy; or cap the heap, TANGRAM_JAVA_OPTS=-Xmx..., to leave it room)");
    }

    private static double mib(long bytes) {
        return bytes / 1048576.0;
    }

    private static double gib(long bytes) {
        return bytes / (1024.0 * 1048576.0);
    }
}
