package dev.tangram.inference.kernels;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Software read-ahead for the single-token kernels, which stream weights that are far larger than any cache. Java has no
 * prefetch instruction, so the kernels load one byte {@link #DISTANCE} bytes ahead of where they read, once per 64
 * bytes or so: the miss starts then, and by the time the dot product reaches that line it is in the cache. On the
 * development machine this lifted one core streaming Q8_0 from 7.2 to 8.2 GB/s (docs/inference-engine.md); 1 KiB or
 * 4 KiB ahead helped less. Q4_0, whose blocks cost twice the arithmetic per byte, did not gain from it and keeps its
 * two-rows-at-once loop.
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

    /** Consumes the sum of the touched bytes, so that the JIT cannot drop the loads as dead code. */
    static void keep(int touched) {
        if (touched == Integer.MIN_VALUE) {
            sink = touched;
        }
    }
}
