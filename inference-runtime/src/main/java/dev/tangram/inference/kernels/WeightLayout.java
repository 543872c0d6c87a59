package dev.tangram.inference.kernels;

import java.util.Locale;

/**
 * How Q8_0, Q4_0 and K-quant matrices are held while the model runs: {@code lanes} rearranges them at load into memory of their
 * own, rows in vector lanes ({@link LaneGroupMatrix}), which decodes faster; {@code rows} computes straight from the
 * memory-mapped file, as GGML lays it out, and copies nothing (for a model that only fits in memory as page cache, shared
 * between processes); {@code auto} (the default) takes lanes where the copy fits in memory beside the JVM's heap, else
 * rows (the choice itself is the model package's {@code LayoutChoice}).
 */
public enum WeightLayout {
    AUTO, LANES, ROWS;

    /** {@code auto}, {@code lanes} or {@code rows}, in any case. */
    public static WeightLayout parse(String text) {
        return switch (text.trim().toLowerCase(Locale.ROOT)) {
            case "auto" -> AUTO;
            case "lanes" -> LANES;
            case "rows" -> ROWS;
            default -> throw new IllegalArgumentException("weight layout must be auto, lanes or rows, got '" + text + "'");
        };
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
