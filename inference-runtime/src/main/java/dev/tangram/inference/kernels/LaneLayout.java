package dev.tangram.inference.kernels;

import dev.tangram.inference.gguf.GgmlType;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Rearranges Q8_0, Q4_0, Q5_0 (widened to Q8_0) and K-quant (Q4_K, Q5_K, Q6_K) matrices into {@link LaneGroupMatrix}es:
 * whether a matrix can be ({@link #applies}), the bytes it then takes ({@link #bytes}) and the copy itself
 * ({@link #rearrange}), parallel over groups of rows on a worker pool, into memory from an arena that the caller owns (and
 * closes when the model is closed).
 */
public final class LaneLayout {
    /** Groups of rows one worker share rearranges at a time. */
    private static final int GRAIN = 16;

    private LaneLayout() {}

    /**
     * Whether {@code m} has a lane layout: Q8_0, Q4_0, Q5_0, Q4_K, Q5_K or Q6_K in the file's row layout, whole groups of
     * {@link LaneGroupMatrix#GROUP} rows, and vectors of at least 8 lanes (the quants of a group are loaded as one byte
     * vector of at least 64 bits).
     */
    public static boolean applies(WeightMatrix m) {
        boolean q50 = m instanceof LegacyQuantMatrix l && l.type() == GgmlType.Q5_0;
        return (m instanceof Q8Matrix || m instanceof Q4Matrix || m instanceof KQuantMatrix || q50)
                && LaneGroupMatrix.GROUP >= 8 && m.rows() % LaneGroupMatrix.GROUP == 0;
    }

    /** Whether {@link #rearrange} makes {@code m} a Q8_0 lane matrix of another type's values: a Q5_0 matrix it applies to. */
    public static boolean widens(WeightMatrix m) {
        return m instanceof LegacyQuantMatrix && applies(m);
    }

    /**
     * The bytes {@code m} takes in the lane layout: the file's, except Q4_K's and Q5_K's, whose sub-blocks' scales and
     * mins are unpacked to a byte each (148 and 180 bytes per super-block row instead of 144 and 176), and Q5_0's, widened
     * to Q8_0 (34 bytes per block instead of 22).
     */
    public static long bytes(WeightMatrix m) {
        long superRows = (long) m.rows() * (m.cols() / KQuantMatrix.SUPER_BLOCK);
        return switch (m) {
            case Q4KMatrix q -> superRows * Q4KLaneMatrix.ROW_BYTES;
            case Q5KMatrix q -> superRows * Q5KLaneMatrix.ROW_BYTES;
            case LegacyQuantMatrix q -> (long) m.rows() * (m.cols() / LaneGroupMatrix.BLOCK) * Q8Matrix.BLOCK_BYTES;
            default -> m.bytes();
        };
    }

    /** {@code m} in the lane layout, in memory from {@code arena}; {@code m} itself where the layout does not apply. */
    public static WeightMatrix rearrange(WeightMatrix m, Arena arena, WorkerPool pool) {
        if (!applies(m)) {
            return m;
        }
        MemorySegment dst = arena.allocate(bytes(m), 64);
        int groups = m.rows() / LaneGroupMatrix.GROUP;
        return switch (m) {
            case Q4KMatrix q -> {
                pool.run(groups, GRAIN, (from, to, worker) -> Q4KLaneMatrix.rearrange(q, dst, from, to));
                yield new Q4KLaneMatrix(dst, m.rows(), m.cols());
            }
            case Q5KMatrix q -> {
                pool.run(groups, GRAIN, (from, to, worker) -> Q5KLaneMatrix.rearrange(q, dst, from, to));
                yield new Q5KLaneMatrix(dst, m.rows(), m.cols());
            }
            case Q6KMatrix q -> {
                pool.run(groups, GRAIN, (from, to, worker) -> Q6KLaneMatrix.rearrange(q, dst, from, to));
                yield new Q6KLaneMatrix(dst, m.rows(), m.cols());
            }
            case LegacyQuantMatrix q -> {
                pool.run(groups, GRAIN, (from, to, worker) -> widenQ50(q, dst, from, to));
                yield new Q8LaneMatrix(dst, m.rows(), m.cols());
            }
            case Q8Matrix q -> {
                pool.run(groups, GRAIN, (from, to, worker) -> rearrange(q, Q8Matrix.BLOCK_BYTES, dst, from, to));
                yield new Q8LaneMatrix(dst, m.rows(), m.cols());
            }
            default -> {
                pool.run(groups, GRAIN, (from, to, worker) -> rearrange(m, Q4Matrix.BLOCK_BYTES, dst, from, to));
                yield new Q4LaneMatrix(dst, m.rows(), m.cols());
            }
        };
    }

    /**
     * Groups {@code [from, to)} of Q8_0 or Q4_0 matrix {@code src} (blocks of {@code blockBytes}: a float16 scale, then
     * the quant bytes) into {@code dst}: per group and block, the group's scales side by side, then quant byte {@code k}
     * of every row side by side, for each {@code k}.
     */
    static void rearrange(WeightMatrix src, int blockBytes, MemorySegment dst, int from, int to) {
        int group = LaneGroupMatrix.GROUP;
        int quants = blockBytes - 2;
        rearrangeBlocks(src, LaneGroupMatrix.BLOCK, blockBytes, group * blockBytes, dst, from, to, (rows, out) -> {
            for (int lane = 0; lane < group; lane++) {
                int in = lane * blockBytes;
                out[2 * lane] = rows[in];
                out[2 * lane + 1] = rows[in + 1];
                for (int k = 0; k < quants; k++) {
                    out[2 * group + k * group + lane] = rows[in + 2 + k];
                }
            }
        });
    }

    /**
     * Groups {@code [from, to)} of Q5_0 matrix {@code src} into {@code dst} as Q8_0 lanes: each block's scale as it is and
     * its values {@code q − 16} (−16 … 15) as signed bytes, which is the same number {@code d · (q − 16)} in Q8_0's terms,
     * exactly. The Q8_0 lanes' products run at the memory's pace where Q5_0's fifth bits kept a product of its own bound
     * by its instructions (docs/inference-engine.md, Profile, session 16); the price is 34 bytes per block for 22.
     */
    static void widenQ50(WeightMatrix src, MemorySegment dst, int from, int to) {
        int group = LaneGroupMatrix.GROUP;
        int fileBytes = GgmlType.Q5_0.blockBytes();
        rearrangeBlocks(src, LaneGroupMatrix.BLOCK, fileBytes, group * Q8Matrix.BLOCK_BYTES, dst, from, to, (rows, out) -> {
            for (int lane = 0; lane < group; lane++) {
                int in = lane * fileBytes;
                out[2 * lane] = rows[in];
                out[2 * lane + 1] = rows[in + 1];
                int qh = (rows[in + 2] & 0xFF) | (rows[in + 3] & 0xFF) << 8 | (rows[in + 4] & 0xFF) << 16 | (rows[in + 5] & 0xFF) << 24;
                for (int k = 0; k < LaneGroupMatrix.BLOCK; k++) {
                    int nibble = k < 16 ? rows[in + 6 + k] & 0x0F : (rows[in + 6 + k - 16] >> 4) & 0x0F;
                    out[2 * group + k * group + lane] = (byte) ((nibble | ((qh >>> k) & 1) << 4) - 16);
                }
            }
        });
    }

    /** How a lane layout packs one block of a group's rows: see {@link #rearrangeBlocks}. */
    @FunctionalInterface
    interface BlockPacker {
        /**
         * {@code rows} holds the group's rows' file bytes of one block, row {@code lane}'s from {@code lane * fileBytes};
         * {@code out} receives the block in the lane layout.
         */
        void pack(byte[] rows, byte[] out);
    }

    /**
     * Groups {@code [from, to)} of {@code src}, whose rows are file blocks of {@code fileBytes} for {@code blockCols}
     * columns each, into {@code dst} as blocks of {@code outBytes} per group, in the same order: each group's block
     * gathered from its rows into a heap array, packed there by {@code packer} and copied out whole (a bounds-checked
     * segment access per byte took three times as long). Every lane layout's rearrangement goes through here.
     */
    static void rearrangeBlocks(WeightMatrix src, int blockCols, int fileBytes, int outBytes, MemorySegment dst, int from, int to,
            BlockPacker packer) {
        int group = LaneGroupMatrix.GROUP;
        int blocks = src.cols() / blockCols;
        byte[] rows = new byte[group * fileBytes];
        byte[] out = new byte[outBytes];
        for (int g = from; g < to; g++) {
            for (int b = 0; b < blocks; b++) {
                for (int lane = 0; lane < group; lane++) {
                    long block = ((long) (g * group + lane) * blocks + b) * fileBytes;
                    MemorySegment.copy(src.data(), ValueLayout.JAVA_BYTE, block, rows, lane * fileBytes, fileBytes);
                }
                packer.pack(rows, out);
                MemorySegment.copy(out, 0, dst, ValueLayout.JAVA_BYTE, ((long) g * blocks + b) * outBytes, outBytes);
            }
        }
    }
}
