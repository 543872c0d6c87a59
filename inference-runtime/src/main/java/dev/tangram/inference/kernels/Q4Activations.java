package dev.tangram.inference.kernels;

import java.util.Locale;

/**
 * What a Q4_0 matrix with rows in lanes multiplies: {@code int8} (the default) the input rounded to 8 bits per block of
 * 32 ({@link Int8Activations}), which lets its products run in short lanes without converting weights to floats, as
 * llama.cpp does for Q4_0; {@code float} the input as it is, in float products (4-bit weights, float activations), for
 * whoever wants those numbers at the cost of speed. Matrices in the file's row layout, and every other type, always
 * multiply floats.
 */
public enum Q4Activations {
    INT8, FLOAT;

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
