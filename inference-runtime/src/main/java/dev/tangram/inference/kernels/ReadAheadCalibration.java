package dev.tangram.inference.kernels;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Chooses the one-token kernels' read-ahead distance ({@link ReadAhead}) for this machine: one-token products over the
 * model's own Q8_0 and Q4_0 matrices (the kernels that read ahead), on the kernel's worker pool as in a decode step, with
 * each candidate distance in turn, and the fastest kept. Touching lines ahead sped decoding up by a fifth on the Intel
 * development VM and slowed it by a third on an AMD Zen 4 VM, so no one distance is right everywhere. The timing is the
 * edge; the choice from the times is {@link #choose}, a pure function.
 */
public final class ReadAheadCalibration {
    /** The distances timed: none (the best on the Zen 4 VM), 2 KiB (the best on the Intel VM) and 1 KiB between them. */
    static final long[] CANDIDATES = {0, 1024, 2048};
    /** Under this many bytes of Q8_0/Q4_0 weights the products may run from cache, which says nothing about memory. */
    static final long MIN_BYTES = 64L << 20;
    /** Bytes one timed pass reads at most (the first matrices up to this much), so that large models load no slower. */
    static final long MAX_BYTES = 512L << 20;
    /** Timed passes per candidate, alternating; one more untimed round first, so that every path is compiled. */
    static final int ROUNDS = 3;
    /** Candidates within this fraction of the fastest count as tied; the earliest in {@link #CANDIDATES} wins a tie. */
    static final double TIE = 0.03;

    private ReadAheadCalibration() {}

    /**
     * The distance now in force and how it was chosen.
     *
     * @param distance bytes ahead; 0 is off
     * @param reason   "configured", the default and why, or the timings
     */
    public record Choice(long distance, String reason) {
        /** Such as "read-ahead off (timed: off 40.1 ms, 1 KiB 47.9 ms, 2 KiB 55.0 ms; ...)". */
        public String describe() {
            return "read-ahead " + label(distance) + " (" + reason + ")";
        }
    }

    /**
     * Applies {@code setting}: a configured distance is set as it is; {@code auto} times the candidates over
     * {@code matrices} with {@code kernel} (keeping the default when there are too few Q8_0/Q4_0 bytes to time).
     */
    public static Choice apply(ReadAheadSetting setting, MatmulKernel kernel, List<WeightMatrix> matrices) {
        return apply(setting, kernel, matrices, MIN_BYTES, MAX_BYTES);
    }

    /** {@link #apply(ReadAheadSetting, MatmulKernel, List)} with the bounds on the bytes timed given. */
    static Choice apply(ReadAheadSetting setting, MatmulKernel kernel, List<WeightMatrix> matrices, long minBytes, long maxBytes) {
        if (!setting.auto()) {
            ReadAhead.setDistance(setting.bytes());
            return new Choice(setting.bytes(), "configured");
        }
        List<WeightMatrix> timed = timedMatrices(matrices, maxBytes);
        long bytes = timed.stream().mapToLong(WeightMatrix::bytes).sum();
        if (timed.isEmpty()) {
            ReadAhead.setDistance(0);
            return new Choice(0, "no Q8_0/Q4_0 matrix reads ahead: none in the file's row layout");
        }
        if (bytes < minBytes) {
            ReadAhead.setDistance(ReadAhead.DEFAULT_DISTANCE);
            return new Choice(ReadAhead.DEFAULT_DISTANCE, String.format(Locale.ROOT,
                    "default: %.1f MiB of Q8_0/Q4_0 weights, fewer than the %.1f MiB needed to time it against memory", mib(bytes),
                    mib(minBytes)));
        }
        long[][] nanos = time(kernel, timed);
        int best = choose(nanos);
        ReadAhead.setDistance(CANDIDATES[best]);
        StringBuilder why = new StringBuilder("timed:");
        for (int c = 0; c < CANDIDATES.length; c++) {
            why.append(c == 0 ? " " : ", ").append(label(CANDIDATES[c]))
                    .append(String.format(Locale.ROOT, " %.1f ms", min(nanos[c]) / 1e6));
        }
        why.append(String.format(Locale.ROOT, "; best of %d passes over %.1f MiB of Q8_0/Q4_0 weights", ROUNDS, mib(bytes)));
        return new Choice(CANDIDATES[best], why.toString());
    }

    /**
     * The distinct Q8_0 and Q4_0 matrices of {@code matrices} in the file's row layout (the kernels that read ahead; not
     * {@link LaneGroupMatrix}es), in order, up to the first that would take the total past
     * {@code maxBytes} (the first matrix is kept whatever its size).
     */
    static List<WeightMatrix> timedMatrices(List<WeightMatrix> matrices, long maxBytes) {
        Set<WeightMatrix> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        List<WeightMatrix> out = new ArrayList<>();
        long bytes = 0;
        for (WeightMatrix m : matrices) {
            if ((m instanceof Q8Matrix || m instanceof Q4Matrix) && seen.add(m)) {
                if (bytes + m.bytes() > maxBytes && !out.isEmpty()) {
                    break;
                }
                out.add(m);
                bytes += m.bytes();
            }
        }
        return out;
    }

    /** {@code nanos[candidate][round]}: one untimed round, then {@link #ROUNDS} timed ones, the candidates alternating. */
    private static long[][] time(MatmulKernel kernel, List<WeightMatrix> matrices) {
        int cols = matrices.stream().mapToInt(WeightMatrix::cols).max().orElseThrow();
        int rows = matrices.stream().mapToInt(WeightMatrix::rows).max().orElseThrow();
        float[] x = new float[cols];
        SplittableRandom random = new SplittableRandom(1);
        for (int i = 0; i < cols; i++) {
            x[i] = (float) (random.nextDouble() - 0.5);
        }
        float[] out = new float[rows];
        long[][] nanos = new long[CANDIDATES.length][ROUNDS];
        for (int round = -1; round < ROUNDS; round++) {
            for (int c = 0; c < CANDIDATES.length; c++) {
                ReadAhead.setDistance(CANDIDATES[c]);
                long t0 = System.nanoTime();
                for (WeightMatrix m : matrices) {
                    kernel.multiply(m, x, 1, out);
                }
                long took = System.nanoTime() - t0;
                if (round >= 0) {
                    nanos[c][round] = took;
                }
            }
        }
        return nanos;
    }

    /**
     * The index of the fastest candidate, by its best pass ({@code nanos[candidate][round]}; the best, because
     * interference only ever adds time); the earliest of those within {@link #TIE} of the fastest.
     */
    static int choose(long[][] nanos) {
        if (nanos.length == 0) {
            throw new IllegalArgumentException("no candidates timed");
        }
        int fastest = 0;
        for (int c = 1; c < nanos.length; c++) {
            if (min(nanos[c]) < min(nanos[fastest])) {
                fastest = c;
            }
        }
        int chosen = 0;
        while (min(nanos[chosen]) > min(nanos[fastest]) * (1 + TIE)) {
            chosen++;
        }
        return chosen;
    }

    private static long min(long[] samples) {
        if (samples.length == 0) {
            throw new IllegalArgumentException("a candidate without timed passes");
        }
        long m = Long.MAX_VALUE;
        for (long s : samples) {
            m = Math.min(m, s);
        }
        return m;
    }

    private static double mib(long bytes) {
        return bytes / 1048576.0;
    }

    static String label(long distance) {
        return distance == 0 ? "off" : distance % 1024 == 0 ? distance / 1024 + " KiB" : distance + " B";
    }
}
