package dev.tangram.inference.randommodel;

import dev.tangram.inference.gguf.GgmlType;
import java.util.Locale;

/**
 * Which type each matrix of a generated model is stored in: every matrix in one type ({@link #uniform}), or
 * {@link #Q4_K_M}, shaped like llama.cpp's "Q4_K medium" files, the ones most often downloaded: Q4_K throughout, except
 * the output projection (the token embedding where it is tied) and, in the layers llama.cpp gives more bits
 * ({@link #moreBits}), {@code attn_v} and {@code ffn_down}, in Q6_K. A pure function of the tensor's role and layer.
 *
 * @param name     how the model's {@code general.name} ends
 * @param base     the type of every other matrix
 * @param promoted the type of the output and of the more-bits layers' {@code attn_v} and {@code ffn_down}
 * @param fileType llama.cpp's {@code general.file_type}
 */
public record QuantMix(String name, GgmlType base, GgmlType promoted, int fileType) {
    /** Q4_K, with Q6_K for the output and for attn_v and ffn_down in the more-bits layers; llama.cpp's file type 15. */
    public static final QuantMix Q4_K_M = new QuantMix("Q4_K_M", GgmlType.Q4_K, GgmlType.Q6_K, 15);
    /** Q5_K, with Q6_K where {@link #Q4_K_M} has it; llama.cpp's file type 17. */
    public static final QuantMix Q5_K_M = new QuantMix("Q5_K_M", GgmlType.Q5_K, GgmlType.Q6_K, 17);

    /** Every matrix in {@code type}. */
    public static QuantMix uniform(GgmlType type) {
        return new QuantMix(type.toString(), type, type, RandomModelWriter.fileType(type));
    }

    /** {@code Q4_K_M}, {@code Q5_K_M}, or one of {@link RandomModelSpec#QUANTS} (any case). */
    public static QuantMix parse(String text) {
        String upper = text.trim().toUpperCase(Locale.ROOT);
        for (QuantMix mix : new QuantMix[] {Q4_K_M, Q5_K_M}) {
            if (upper.equals(mix.name)) {
                return mix;
            }
        }
        return uniform(GgmlType.valueOf(upper));
    }

    /**
     * The type a matrix with rows {@code cols} wide is stored in when {@code type} is asked for: {@code type} itself, or,
     * where the rows are not whole super-blocks of 256, llama.cpp's fallback (Q4_K to Q5_0, Q5_K to Q5_1, Q6_K to
     * Q8_0), as in Qwen2.5-0.5B's Q4_K_M file, whose 896-wide matrices are Q5_0.
     */
    public static GgmlType fit(GgmlType type, int cols) {
        if (cols % type.blockElements() == 0) {
            return type;
        }
        return switch (type) {
            case Q4_K -> GgmlType.Q5_0;
            case Q5_K -> GgmlType.Q5_1;
            case Q6_K -> GgmlType.Q8_0;
            default -> throw new IllegalArgumentException(type + " rows of " + cols + " are not whole blocks of " + type.blockElements());
        };
    }

    /** The token embedding's type: the output's where it is tied to the output. */
    public GgmlType tokenEmbedding(boolean tied) {
        return tied ? promoted : base;
    }

    /** {@code output.weight}'s type (an untied model's). */
    public GgmlType output() {
        return promoted;
    }

    /** The type of {@code attn_v} and of {@code ffn_down} in layer {@code layer} of {@code layers}. */
    public GgmlType valueOrDown(int layer, int layers) {
        return moreBits(layer, layers) ? promoted : base;
    }

    /**
     * llama.cpp's rule for the layers whose {@code attn_v} and {@code ffn_down} get more bits in its _M mixes: the first
     * eighth, the last eighth, and every third layer in between.
     */
    static boolean moreBits(int layer, int layers) {
        return layer < layers / 8 || layer >= 7 * layers / 8 || (layer - layers / 8) % 3 == 2;
    }
}
