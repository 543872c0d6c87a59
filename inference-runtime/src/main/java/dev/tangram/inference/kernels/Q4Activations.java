package dev.tangram.inference.kernels;

import java.util.Locale;

/**
 * What a Q4_0 or K-quant (Q4_K, Q5_K, Q6_K) matrix with rows in lanes multiplies ({@link #appliesTo}): {@code int8} (the
 * default) the input rounded to 8 bits per block of 32 ({@link Int8Activations}), which lets its products run in short
 * lanes without converting weights to floats, as llama.cpp does for those types; {@code float} the input as it is, in
 * float products (4- to 6-bit weights, float activations), for whoever wants those numbers at the cost of speed.
 * Matrices in the file's row layout, and Q8_0 and the float types, always multiply floats.
 */
public enum Q4Activations {
    INT8, FLOAT;

    /** Whether this setting says what {@code m} multiplies: Q4_0 and K-quant lane matrices. */
    public static boolean appliesTo(WeightMatrix m) {
        return m instanceof Q4LaneMatrix || m instanceof KQuantLaneMatrix;
    }

    /** {@code int8} or {@code float}, in any case. */
    public static Q4Activations parse(String text) {
        return switch (text.trim().toLowerCase(Locale.ROOT)) {
            case "int8" -> INT8;
            case "float" -> FLOAT;
            default -> throw new IllegalArgumentException("Q4_0 activations must be int8 or float, got '" + text + "'");
        };
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
