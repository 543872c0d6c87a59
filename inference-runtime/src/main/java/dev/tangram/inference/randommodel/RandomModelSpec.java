package dev.tangram.inference.randommodel;

import dev.tangram.inference.gguf.GgmlType;
import java.util.Set;

/**
 * The shape of a generated model.
 *
 * @param layers        transformer blocks
 * @param dim           model width
 * @param heads         query heads
 * @param kvHeads       key/value heads
 * @param ffn           SwiGLU hidden width
 * @param vocab         vocabulary size, special tokens included
 * @param contextLength {@code llama.context_length}
 * @param ropeTheta     {@code llama.rope.freq_base}
 * @param quant         storage type of the matrices (norms are F32)
 * @param tied          whether the output projection reuses the token embedding (no {@code output.weight})
 * @param seed          seed of the weights
 */
public record RandomModelSpec(int layers, int dim, int heads, int kvHeads, int ffn, int vocab, int contextLength, float ropeTheta,
                              GgmlType quant, boolean tied, long seed) {
    public static final Set<GgmlType> QUANTS = Set.of(GgmlType.F32, GgmlType.F16, GgmlType.BF16, GgmlType.Q8_0, GgmlType.Q4_0,
            GgmlType.Q4_K, GgmlType.Q5_K, GgmlType.Q6_K);
    /** Special tokens appended after the learned ones. */
    public static final String[] SPECIALS = {"<|begin_of_text|>", "<|end_of_text|>", "<|start_header_id|>", "<|end_header_id|>",
        "<|eot_id|>"};

    public RandomModelSpec {
        if (layers < 1 || dim < 1 || heads < 1 || kvHeads < 1 || ffn < 1 || contextLength < 1) {
            throw new IllegalArgumentException("layers, dim, heads, kv-heads, ffn and context must be positive");
        }
        if (dim % heads != 0) {
            throw new IllegalArgumentException("dim (" + dim + ") must be a multiple of heads (" + heads + ")");
        }
        if ((dim / heads) % 2 != 0) {
            throw new IllegalArgumentException("the head size dim/heads (" + dim / heads + ") must be even for RoPE");
        }
        if (heads % kvHeads != 0) {
            throw new IllegalArgumentException("heads (" + heads + ") must be a multiple of kv-heads (" + kvHeads + ")");
        }
        if (!QUANTS.contains(quant)) {
            throw new IllegalArgumentException("quant " + quant + " is not one of " + QUANTS);
        }
        int block = quant.blockElements();
        if (dim % block != 0 || ffn % block != 0 || (dim / heads * kvHeads) % block != 0) {
            throw new IllegalArgumentException("with " + quant + ", dim, ffn and kv width must be multiples of " + block);
        }
        if (vocab < 256 + SPECIALS.length) {
            throw new IllegalArgumentException("vocab must hold the 256 byte tokens and " + SPECIALS.length + " special tokens: at least "
                    + (256 + SPECIALS.length));
        }
    }

    /** For tests: 2 layers, dim 64, 4 heads, 2 kv heads, ffn 128, 512 tokens. */
    public static RandomModelSpec tiny(GgmlType quant) {
        return new RandomModelSpec(2, 64, 4, 2, 128, 512, 2048, 10000f, quant, true, 42);
    }

    /** Llama-3.2-1B's shape: 16 layers, dim 2048, 32 heads, 8 kv heads, ffn 8192, 128256 tokens, tied embeddings. */
    public static RandomModelSpec oneB(GgmlType quant) {
        return new RandomModelSpec(16, 2048, 32, 8, 8192, 128256, 8192, 500000f, quant, true, 42);
    }

    public int headDim() {
        return dim / heads;
    }
}
