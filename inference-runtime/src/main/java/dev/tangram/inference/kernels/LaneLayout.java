package dev.tangram.inference.kernels;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Rearranges Q8_0 and Q4_0 matrices into {@link LaneGroupMatrix}es: whether a matrix can be ({@link #applies}) and the
 * copy itself ({@link #rearrange}), parallel over groups of rows on a worker pool, into memory from an arena that the
 * caller owns (and closes when the model is closed).
 */
public final class LaneLayout {
    /** Groups of rows one worker share rearranges at a time. */
    private static final int GRAIN = 16;

    private LaneLayout() {}

    /**
     * Whether {@code m} has a lane layout: Q8_0 or Q4_0 in the file's row layout, whole groups of
     * {@link LaneGroupMatrix#GROUP} rows, and vectors of at least 8 lanes (the quants of a group are loaded as one byte
     * vector of at least 64 bits).
     */
    public static boolean applies(WeightMatrix m) {
        return (m instanceof Q8Matrix || m instanceof Q4Matrix) && LaneGroupMatrix.GROUP >= 8 && m.rows() % LaneGroupMatrix.GROUP == 0;
    }

    /** {@code m} in the lane layout, in memory from {@code arena}; {@code m} itself where the layout does not apply. */
    public static WeightMatrix rearrange(WeightMatrix m, Arena arena, WorkerPool pool) {
        if (!applies(m)) {
            return m;
        }
        MemorySegment dst = arena.allocate(m.bytes(), 64);
        int groups = m.rows() / LaneGroupMatrix.GROUP;
        return switch (m) {
            case Q8Matrix q8 -> {
                pool.run(groups, GRAIN, (from, to, worker) -> Q8LaneMatrix.rearrange(q8, dst, from, to));
                yield new Q8LaneMatrix(dst, m.rows(), m.cols());
            }
            case Q4Matrix q4 -> {
                pool.run(groups, GRAIN, (from, to, worker) -> Q4LaneMatrix.rearrange(q4, dst, from, to));
                yield new Q4LaneMatrix(dst, m.rows(), m.cols());
            }
            default -> throw new IllegalStateException("no lane layout for " + m.type());
        };
    }
}
