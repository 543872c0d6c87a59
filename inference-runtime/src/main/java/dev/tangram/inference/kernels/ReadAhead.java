package dev.tangram.inference.kernels;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Software read-ahead for the single-token kernels, which stream weights that are far larger than any cache. Java has no
 * prefetch instruction, so the kernels load bytes {@link #DISTANCE} bytes ahead of where they read: the misses start
 * then, and by the time the dot product reaches those lines they are in the cache. Q8_0 and Q4_0 touch the lines of a run
 * of {@link #RUN_BLOCKS} blocks at once ({@link #touchRun}); the Q8_0 tail of a row touches one byte every two blocks
 * ({@link #touch}). On the development machine one touch every 68 bytes lifted one core streaming Q8_0 from 7.2 to 8.2
 * GB/s, and runs of touches (with the share and block changes of session 5) took the engine's decode from 10.4 to 12.5
 * tokens/s (Q8_0) and 11.3 to 15.1 (Q4_0); 1 KiB or 4 KiB ahead helped less (docs/inference-engine.md).
 */
final class ReadAhead {
    static final long DISTANCE = 2048;

    @SuppressWarnings("unused")
    private static volatile int sink;

    private ReadAhead() {}

    /** The byte {@link #DISTANCE} past {@code off}, or the last byte of {@code data}. */
    static int touch(MemorySegment data, long off, long lastByte) {
        return data.get(ValueLayout.JAVA_BYTE, Math.min(off + DISTANCE, lastByte));
    }

    /** Blocks of a run whose lines {@link #touchRun} touches together: 16 Q8_0 blocks are 544 bytes, nine lines. */
    static final int RUN_BLOCKS = 16;

    /**
     * One byte of every 64 of the {@code length} bytes {@link #DISTANCE} past {@code off} (none past the last byte of
     * {@code data}): nine misses started back to back keep more of them in flight than one every 68 bytes did, so the
     * one-token Q8_0 kernel streams faster (docs/inference-engine.md).
     */
    static int touchRun(MemorySegment data, long off, int length, long lastByte) {
        int sum = 0;
        for (int at = 0; at < length; at += 64) {
            sum += data.get(ValueLayout.JAVA_BYTE, Math.min(off + DISTANCE + at, lastByte));
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
