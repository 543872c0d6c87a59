package dev.tangram.inference.kernels;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Software read-ahead for the single-token Q8_0 and Q4_0 kernels, which stream weights that are far larger than any
 * cache. Java has no prefetch instruction, so the kernels load bytes {@link #distance()} bytes ahead of where they read:
 * the misses start then, and by the time the dot product reaches those lines they are in the cache. Q8_0 and Q4_0 touch
 * the lines of a run of {@link #RUN_BLOCKS} blocks at once ({@link #touchRun}); the Q8_0 tail of a row touches one byte
 * every two blocks ({@link #touch}).
 *
 * <p>Whether that helps depends on the CPU. On the Intel development VM one touch every 68 bytes lifted one core
 * streaming Q8_0 from 7.2 to 8.2 GB/s, and runs of touches 2 KiB ahead took the engine's decode from 10.4 to 12.5
 * tokens/s (Q8_0) and 11.3 to 15.1 (Q4_0). On an AMD Zen 4 VM the same touches halved what two cores streamed (24 → 14
 * GB/s): its own prefetchers do better alone. So the distance is chosen per machine at model load, by timing the
 * kernels ({@link ReadAheadCalibration}), or set by configuration; 0 turns the touches off. The distance changes only
 * which bytes are loaded early, never a result (docs/inference-engine.md).
 */
final class ReadAhead {
    /** The distance until one is chosen: the best of 512 B, 1, 2 and 4 KiB on the Intel development VM. */
    static final long DEFAULT_DISTANCE = 2048;
    /** The farthest distance accepted. */
    static final long MAX_DISTANCE = 64 * 1024;

    /**
     * Bytes ahead, or 0 for none. Plain, not volatile: it is set before the kernels run (at model load), and the worker
     * pool's hand-over of each multiplication orders that write before the workers' reads.
     */
    private static long distance = DEFAULT_DISTANCE;

    @SuppressWarnings("unused")
    private static volatile int sink;

    private ReadAhead() {}

    static long distance() {
        return distance;
    }

    /** Whether {@code bytes} is a distance: 0 (no touches) or a whole number of 64-byte lines up to {@link #MAX_DISTANCE}. */
    static boolean isDistance(long bytes) {
        return bytes >= 0 && bytes <= MAX_DISTANCE && bytes % 64 == 0;
    }

    /** Sets the distance ({@link #isDistance}). */
    static void setDistance(long bytes) {
        if (!isDistance(bytes)) {
            throw new IllegalArgumentException("read-ahead distance must be 0 (off) or a multiple of 64 bytes up to " + MAX_DISTANCE
                    + ", got " + bytes);
        }
        distance = bytes;
    }

    /** The byte {@link #distance()} past {@code off}, or the last byte of {@code data}; nothing when the distance is 0. */
    static int touch(MemorySegment data, long off, long lastByte) {
        long d = distance;
        return d == 0 ? 0 : data.get(ValueLayout.JAVA_BYTE, Math.min(off + d, lastByte));
    }

    /** Blocks of a run whose lines {@link #touchRun} touches together: 16 Q8_0 blocks are 544 bytes, nine lines. */
    static final int RUN_BLOCKS = 16;

    /**
     * One byte of every 64 of the {@code length} bytes {@link #distance()} past {@code off} (none past the last byte of
     * {@code data}; none at all when the distance is 0): nine misses started back to back keep more of them in flight
     * than one every 68 bytes did, so the one-token Q8_0 kernel streams faster where touches help at all.
     */
    static int touchRun(MemorySegment data, long off, int length, long lastByte) {
        long d = distance;
        if (d == 0) {
            return 0;
        }
        int sum = 0;
        for (int at = 0; at < length; at += 64) {
            sum += data.get(ValueLayout.JAVA_BYTE, Math.min(off + d + at, lastByte));
        }
        return sum;
    }

    /** Consumes the sum of the touched bytes, so that the JIT cannot drop the loads as dead code. */
    static void keep(int touched) {
        if (touched == Integer.MIN_VALUE) {
            sink = touched;
        }
    }
}
