package dev.tangram.inference.randommodel;

import dev.tangram.inference.gguf.GgmlType;
import dev.tangram.inference.model.Architecture;
import dev.tangram.inference.model.Experts;
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
 * @param contextLength {@code <arch>.context_length}
 * @param ropeTheta     {@code <arch>.rope.freq_base}
 * @param quant         storage type of the matrices (norms are F32)
 * @param tied          whether the output projection reuses the token embedding (no {@code output.weight})
 * @param seed          seed of the weights
 * @param architecture  {@code general.architecture}, which also says which tensors a block has (Qwen2: Q, K and V biases;
 *                      Qwen3: per-head Q and K norms; Granite: its four multipliers in the metadata)
 * @param headDim       size of a head ({@code <arch>.attention.key_length}, written where it is not dim / heads)
 * @param biases        with {@code llama}, every bias a block may have (Q, K, V, output, gate, up, down); with
 *                      {@code qwen2}, {@code output.bias} besides its own three
 * @param experts       the blocks' mixture of experts ({@link Experts#NONE}: dense FFNs); an expert is {@code ffn} wide
 *                      but in {@code qwen3moe}, whose {@code expert_feed_forward_length} is written apart
 */
public record RandomModelSpec(int layers, int dim, int heads, int kvHeads, int ffn, int vocab, int contextLength, float ropeTheta,
                              GgmlType quant, boolean tied, long seed, Architecture architecture, int headDim, boolean biases,
                              Experts experts) {
    public static final Set<GgmlType> QUANTS = Set.of(GgmlType.F32, GgmlType.F16, GgmlType.BF16, GgmlType.Q8_0, GgmlType.Q4_0,
            GgmlType.Q4_1, GgmlType.Q5_0, GgmlType.Q5_1, GgmlType.Q4_K, GgmlType.Q5_K, GgmlType.Q6_K, GgmlType.MXFP4);
    /** Special tokens appended after the learned ones. */
    public static final String[] SPECIALS = {"<|begin_of_text|>", "<|end_of_text|>", "<|start_header_id|>", "<|end_header_id|>",
        "<|eot_id|>"};
    /**
     * Phi-3's own control tokens, appended after {@link #SPECIALS} in a {@code phi3} model: its turn markers, and the four
     * tokens llama.cpp looks up by text in any model named Phi-3.
     */
    public static final String[] PHI3_SPECIALS = {"<unk>", "<s>", "</s>", "<|endoftext|>", "<|system|>", "<|user|>", "<|assistant|>",
        "<|end|>"};

    /**
     * gpt-oss's Harmony control tokens, appended after {@link #SPECIALS} in a {@code gpt-oss} model: the message markers,
     * and the two that end its turns.
     */
    public static final String[] HARMONY_SPECIALS = {"<|start|>", "<|end|>", "<|message|>", "<|channel|>", "<|constrain|>", "<|return|>",
        "<|call|>"};

    /** The special tokens appended after the learned ones. */
    public String[] specials() {
        return specials(architecture);
    }

    /** The special tokens of a model of {@code arch}: {@link #SPECIALS}, and Phi-3's or gpt-oss's after them. */
    private static String[] specials(Architecture arch) {
        String[] own = switch (arch) {
            case PHI3 -> PHI3_SPECIALS;
            case GPT_OSS -> HARMONY_SPECIALS;
            default -> new String[0];
        };
        String[] out = java.util.Arrays.copyOf(SPECIALS, SPECIALS.length + own.length);
        System.arraycopy(own, 0, out, SPECIALS.length, own.length);
        return out;
    }

    public RandomModelSpec {
        if (layers < 1 || dim < 1 || heads < 1 || kvHeads < 1 || ffn < 1 || contextLength < 1 || headDim < 1) {
            throw new IllegalArgumentException("layers, dim, heads, kv-heads, head-dim, ffn and context must be positive");
        }
        if (headDim % 2 != 0) {
            throw new IllegalArgumentException("the head size (" + headDim + ") must be even for RoPE");
        }
        if (biases && architecture != Architecture.LLAMA && architecture != Architecture.QWEN2) {
            throw new IllegalArgumentException("biases are written for llama and qwen2 models only, not " + architecture.ggufName());
        }
        if (architecture == Architecture.PHI3 && heads * headDim != dim) {
            throw new IllegalArgumentException("a phi3 model's queries are as wide as the model (llama.cpp reads no other): heads × head-dim ("
                    + heads * headDim + ") must be dim (" + dim + ")");
        }
        if (architecture.ownOutput() && tied) {
            throw new IllegalArgumentException("a " + architecture.ggufName() + " model has its own output.weight (llama.cpp ties none): it "
                    + "must be untied");
        }
        if (architecture == Architecture.GEMMA2 && !tied) {
            throw new IllegalArgumentException("a gemma2 model's output is its token embedding (llama.cpp reads no other): it must be tied");
        }
        if (heads % kvHeads != 0) {
            throw new IllegalArgumentException("heads (" + heads + ") must be a multiple of kv-heads (" + kvHeads + ")");
        }
        if (architecture.experts() && !experts.present()) {
            throw new IllegalArgumentException("a " + architecture.ggufName() + " model's FFNs are experts: give their count");
        }
        if (experts.present() && !architecture.allowsExperts()) {
            throw new IllegalArgumentException("experts are written for llama, qwen3moe, granitemoe and gpt-oss models only, not "
                    + architecture.ggufName());
        }
        if (experts.present() && architecture != Architecture.QWEN3MOE && architecture != Architecture.GPT_OSS && experts.ffn() != ffn) {
            throw new IllegalArgumentException("a " + architecture.ggufName() + " model's experts are ffn (" + ffn + ") wide, not "
                    + experts.ffn());
        }
        if (experts.present() && biases) {
            throw new IllegalArgumentException("biases are written for dense FFNs only");
        }
        if (!QUANTS.contains(quant)) {
            throw new IllegalArgumentException("quant " + quant + " is not one of " + QUANTS);
        }
        // K-quant rows that are not whole super-blocks fall back to a type of 32-element blocks, as llama.cpp's do
        int block = Math.min(32, quant.blockElements());
        if (dim % block != 0 || ffn % block != 0 || experts.ffn() % block != 0 || (headDim * kvHeads) % block != 0
                || (headDim * heads) % block != 0) {
            throw new IllegalArgumentException("with " + quant + ", dim, ffn, the experts' ffn and the q and kv widths must be multiples of "
                    + block);
        }
        int specials = specials(architecture).length;
        if (vocab < 256 + specials) {
            throw new IllegalArgumentException("vocab must hold the 256 byte tokens and " + specials + " special tokens: at least "
                    + (256 + specials));
        }
    }

    /** A {@code llama} model whose heads are dim / heads wide, without biases. */
    public RandomModelSpec(int layers, int dim, int heads, int kvHeads, int ffn, int vocab, int contextLength, float ropeTheta,
                           GgmlType quant, boolean tied, long seed) {
        this(layers, dim, heads, kvHeads, ffn, vocab, contextLength, ropeTheta, quant, tied, seed, Architecture.LLAMA,
                headDim(dim, heads), false, Experts.NONE);
    }

    /** The size of {@code heads} heads over a width of {@code dim}: dim / heads, which must be whole (0 for no heads). */
    public static int headDim(int dim, int heads) {
        if (heads > 0 && dim % heads != 0) {
            throw new IllegalArgumentException("dim (" + dim + ") must be a multiple of heads (" + heads + ")");
        }
        return heads > 0 ? dim / heads : 0;
    }

    /** This shape as another architecture, with heads {@code headDim} wide and with or without the optional biases. */
    public RandomModelSpec as(Architecture arch, int headDim, boolean biases) {
        return as(arch, headDim, biases, experts);
    }

    /**
     * This shape as another architecture, with its FFNs the mixture {@code experts} ({@link Experts#NONE}: dense); untied
     * where the architecture has its own output always ({@code olmo2}).
     */
    public RandomModelSpec as(Architecture arch, int headDim, boolean biases, Experts experts) {
        return new RandomModelSpec(layers, dim, heads, kvHeads, ffn, vocab, contextLength, ropeTheta, quant, tied && !arch.ownOutput(), seed,
                arch, headDim, biases, experts);
    }

    /** Floats of Q per token. */
    public int qDim() {
        return heads * headDim;
    }

    /** For tests: 2 layers, dim 64, 4 heads, 2 kv heads, ffn 128, 512 tokens. */
    public static RandomModelSpec tiny(GgmlType quant) {
        return new RandomModelSpec(2, 64, 4, 2, 128, 512, 2048, 10000f, quant, true, 42);
    }

    /** Llama-3.2-1B's shape: 16 layers, dim 2048, 32 heads, 8 kv heads, ffn 8192, 128256 tokens, tied embeddings. */
    public static RandomModelSpec oneB(GgmlType quant) {
        return new RandomModelSpec(16, 2048, 32, 8, 8192, 128256, 8192, 500000f, quant, true, 42);
    }
}
