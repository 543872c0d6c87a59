package dev.tangram.inference.model;

import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The GGUF architectures ({@code general.architecture}) Tangram's decoder runs, and what each changes in it. All share
 * llama.cpp's tensor names and the block (RMSNorm, grouped-query attention, a gated FFN); they differ in how RoPE pairs
 * a head's values and in which layers it rotates at all (SmolLM3's), whether Q and K are normalised per head or whole, in
 * Granite's four multipliers, in Gemma's block (GELU, norms after attention and FFN, sliding-window layers) and OLMo 2's
 * (norms after attention and FFN only); and whether the FFNs are a mixture of experts, and gpt-oss's sinks and experts.
 */
public enum Architecture {
    /**
     * Llama 2/3, TinyLlama, SmolLM, Mistral 7B and the many files converted as {@code llama}; and Mixtral, whose FFNs
     * are experts ({@code llama.expert_count}).
     */
    LLAMA("llama", RopeStyle.PAIRS, false, false, false, Moe.OPTIONAL),
    /** Qwen2 and Qwen2.5: RoPE over the halves of a head, biases on Q, K and V. */
    QWEN2("qwen2", RopeStyle.HALVES, false, false, false, Moe.NEVER),
    /** Qwen3 (dense): RoPE over halves, Q and K each RMS-normalised per head before RoPE, no biases. */
    QWEN3("qwen3", RopeStyle.HALVES, true, false, false, Moe.NEVER),
    /** IBM Granite 3 (dense): Llama's block with an embedding, residual, attention and logit multiplier. */
    GRANITE("granite", RopeStyle.PAIRS, false, true, false, Moe.NEVER),
    /**
     * Google Gemma 3 (text): RoPE over halves, Q/K norms, embeddings scaled by √dim, GELU-gated FFN, an RMSNorm after
     * attention and after the FFN, most layers attending over a sliding window with their own RoPE base.
     */
    GEMMA3("gemma3", RopeStyle.HALVES, true, false, true, Moe.NEVER),
    /**
     * Google Gemma 2: Gemma 3's block without the Q/K norms, every other layer sliding (its window 4096), the attention
     * scores and the logits soft-capped (50 and 30), the output always the token embedding.
     */
    GEMMA2("gemma2", RopeStyle.HALVES, false, false, true, Moe.NEVER),
    /**
     * Microsoft Phi-3 (mini and medium, 4K context): Llama's block with RoPE over halves, Q, K and V in one matrix
     * ({@code attn_qkv}) and the FFN's gate and up in one ({@code ffn_up}, gate rows first).
     */
    PHI3("phi3", RopeStyle.HALVES, false, false, false, Moe.NEVER),
    /** Qwen3's mixture-of-experts models (Qwen3-30B-A3B and its coder): Qwen3's attention, every FFN experts. */
    QWEN3MOE("qwen3moe", RopeStyle.HALVES, true, false, false, Moe.ALWAYS),
    /** IBM Granite 3's mixture-of-experts models (1B-A400M, 3B-A800M): Granite's block and multipliers, every FFN experts. */
    GRANITEMOE("granitemoe", RopeStyle.PAIRS, false, true, false, Moe.ALWAYS),
    /**
     * Hugging Face's SmolLM3: Llama's block (RoPE over pairs, Q/K/V biases allowed), but every fourth layer (layers 3, 7,
     * 11, …) attends without RoPE ("NoPE").
     */
    SMOLLM3("smollm3", RopeStyle.PAIRS, false, false, false, Moe.NEVER),
    /**
     * AllenAI's OLMo 2 and OLMo 3: no norm before attention or the FFN, but one after each (on its output, before the
     * residual add, as Gemma's); Q and K each RMS-normalised whole (over all heads) before RoPE over halves; the output
     * its own matrix; OLMo 3's sliding-window layers (three in four, where the file names a window) with the global RoPE
     * base and neither scaling nor YaRN.
     */
    OLMO2("olmo2", RopeStyle.HALVES, true, false, false, Moe.NEVER),
    /**
     * Mistral's Ministral 3 (3B, 8B, 14B): Llama's block, with YaRN's rotation bounds and log multiplier read from the file
     * and Llama 4's temperature tuning of the queries past the original context ({@link DecoderScales#queryScale}).
     */
    MISTRAL3("mistral3", RopeStyle.PAIRS, false, false, false, Moe.NEVER),
    /**
     * Zhipu's GLM-4 (GLM-4-9B-0414, GLM-4-32B-0414, GLM-Z1): norms both before and after attention and the FFN, Q/K/V
     * biases, the FFN's gate and up in one matrix ({@code ffn_up}, gate rows first, as Phi-3's), RoPE over pairs of the
     * first half of each head ({@code rope.dimension_count}).
     */
    GLM4("glm4", RopeStyle.PAIRS, false, false, false, Moe.NEVER),
    /**
     * LG's EXAONE 4.0 (1.2B, 32B): OLMo 2's norms (after attention and the FFN only) with Qwen3's per-head Q/K norms, RoPE
     * over halves; the 32B's three sliding layers in four (a window of 4096) rotate and its global layers do not.
     */
    EXAONE4("exaone4", RopeStyle.HALVES, true, false, false, Moe.NEVER),
    /**
     * OpenAI's gpt-oss (20b, 120b): Llama's block, RoPE over halves with YaRN, Q/K/V and output biases, a learned sink
     * per head in every attention's softmax, every other layer sliding (a window of 128 where the file says so), the FFN's
     * norm named {@code post_attention_norm}; every FFN experts with biases, routed by a softmax over the chosen experts'
     * biased logits, through the clamped SwiGLU of gpt-oss ({@link dev.tangram.inference.kernels.Elementwise#swiGluOai}).
     */
    GPT_OSS("gpt-oss", RopeStyle.HALVES, false, false, false, Moe.ALWAYS);

    /** The layer count at which llama.cpp gives an {@code exaone4} model sliding-window layers (the 32B's, set in its code). */
    static final int EXAONE4_WINDOWED_LAYERS = 64;

    /** SmolLM3's period of layers without RoPE: llama.cpp's {@code n_no_rope_layer_step}, set in its code, not read from the file. */
    private static final int SMOLLM3_NO_ROPE_STEP = 4;

    /** Whether an architecture's FFNs are experts: never, where the file says so ({@code <arch>.expert_count}), or always. */
    enum Moe { NEVER, OPTIONAL, ALWAYS }

    /**
     * Which two values of a head RoPE rotates together: {@code PAIRS} are {@code (x[2i], x[2i+1])} (llama.cpp's normal
     * mode, for which its converter permutes Llama's Q and K rows), {@code HALVES} are {@code (x[i], x[i + headDim/2])}
     * (llama.cpp's NeoX mode, the Hugging Face layout kept as it is).
     */
    public enum RopeStyle { PAIRS, HALVES }

    private final String ggufName;
    private final RopeStyle rope;
    private final boolean qkNorm;
    private final boolean multipliers;
    private final boolean gemma;
    private final Moe moe;

    Architecture(String ggufName, RopeStyle rope, boolean qkNorm, boolean multipliers, boolean gemma, Moe moe) {
        this.ggufName = ggufName;
        this.rope = rope;
        this.qkNorm = qkNorm;
        this.multipliers = multipliers;
        this.gemma = gemma;
        this.moe = moe;
    }

    /**
     * Whether the block is Gemma's: GELU instead of SiLU in the gated FFN, and {@code blk.N.post_attention_norm.weight}
     * and {@code blk.N.post_ffw_norm.weight} applied to the attention's and the FFN's output before each joins the
     * residual stream.
     */
    public boolean gemmaBlock() {
        return gemma;
    }

    /** Whether every block's FFN is a mixture of experts ({@link Experts}). */
    public boolean experts() {
        return moe == Moe.ALWAYS;
    }

    /** Whether a block's FFN may be a mixture of experts, the file's {@code <arch>.expert_count} saying. */
    public boolean allowsExperts() {
        return moe != Moe.NEVER;
    }

    /** The value of {@code general.architecture}, also the prefix of the shape keys ({@code qwen2.block_count}). */
    public String ggufName() {
        return ggufName;
    }

    public RopeStyle rope() {
        return rope;
    }

    /**
     * Whether layer {@code l} rotates its queries and keys by position: every layer does but the last of each four of
     * SmolLM3's ({@code (l + 1) % 4 == 0}), as llama.cpp's {@code smollm3} graph.
     */
    public boolean rotates(int l) {
        return this != SMOLLM3 || (l + 1) % SMOLLM3_NO_ROPE_STEP != 0;
    }

    /**
     * Whether a block normalises its input before attention and before the FFN ({@code attn_norm}, {@code ffn_norm}): all
     * but OLMo 2's and EXAONE 4's.
     */
    public boolean preNorms() {
        return this != OLMO2 && this != EXAONE4;
    }

    /**
     * Whether a block normalises the attention's and the FFN's output before each joins the residual stream
     * ({@code post_attention_norm}, {@code post_ffw_norm}): Gemma's, OLMo 2's, GLM-4's and EXAONE 4's.
     */
    public boolean postNorms() {
        return gemma || this == OLMO2 || this == GLM4 || this == EXAONE4;
    }

    /**
     * The name of the norm before the FFN, {@code blk.N.<name>.weight}: {@code ffn_norm}, but gpt-oss's converter names it
     * {@code post_attention_norm} (the norm after the attention's residual add, which is the FFN's input).
     */
    public String ffnNormName() {
        return this == GPT_OSS ? "post_attention_norm" : "ffn_norm";
    }

    /**
     * Whether each attention head has a learned sink ({@code blk.N.attn_sinks.weight}, gpt-oss's): a logit that joins the
     * softmax's sum and has no value, so a head can attend to nothing.
     */
    public boolean sinks() {
        return this == GPT_OSS;
    }

    /**
     * Whether the mixture of experts is gpt-oss's: the router and every expert's three projections with biases, and the
     * clamped SwiGLU ({@link dev.tangram.inference.kernels.Elementwise#swiGluOai}) for the gate.
     */
    public boolean oaiExperts() {
        return this == GPT_OSS;
    }

    /** Whether the FFN's gate and up are one matrix, {@code ffn_up}, the gate's rows first (Phi-3's and GLM-4's). */
    public boolean fusedGateUp() {
        return this == PHI3 || this == GLM4;
    }

    /**
     * Whether the queries must be as wide as the model (heads × head size = width), as llama.cpp's shapes for Phi-3, OLMo 2
     * and EXAONE 4 require.
     */
    public boolean queriesAsWide() {
        return this == PHI3 || this == OLMO2 || this == EXAONE4;
    }

    /** Whether RoPE may rotate only the first {@code rope.dimension_count} values of a head (Phi-4-mini's, GLM-4's half). */
    public boolean partialRope() {
        return this == PHI3 || this == GLM4;
    }

    /**
     * Whether the Q and K norms run over the whole projection (weights of heads × headDim and kvHeads × headDim: OLMo 2's)
     * rather than over each head (weights of headDim: Qwen3's and Gemma 3's).
     */
    public boolean wholeQkNorm() {
        return this == OLMO2;
    }

    /**
     * Whether some layers may attend over a sliding window: Gemma's, OLMo 3's where the file names a window, EXAONE 4.0
     * 32B's, gpt-oss's.
     */
    public boolean slides() {
        return gemma || this == OLMO2 || this == EXAONE4 || this == GPT_OSS;
    }

    /**
     * Whether the output projection must be the file's own {@code output.weight} (llama.cpp's {@code olmo2} and
     * {@code gpt-oss} tie none).
     */
    public boolean ownOutput() {
        return this == OLMO2 || this == GPT_OSS;
    }

    /**
     * Whether every block has {@code attn_q_norm.weight} and {@code attn_k_norm.weight}, applied before RoPE per head (or
     * over the whole projection: {@link #wholeQkNorm}).
     */
    public boolean qkNorm() {
        return qkNorm;
    }

    /** Whether the file's {@code <arch>.embedding_scale}, {@code residual_scale}, {@code attention.scale} and {@code logit_scale} apply. */
    public boolean multipliers() {
        return multipliers;
    }

    /** The architecture named {@code name} in a GGUF file, if Tangram runs it. */
    public static Optional<Architecture> of(String name) {
        return Arrays.stream(values()).filter(a -> a.ggufName.equals(name)).findFirst();
    }

    /**
     * The names Tangram runs, for error messages: "llama, qwen2, qwen3, granite, gemma3, gemma2, phi3, qwen3moe, granitemoe,
     * smollm3, olmo2, mistral3, glm4, exaone4, gpt-oss".
     */
    public static String names() {
        return Arrays.stream(values()).map(Architecture::ggufName).collect(Collectors.joining(", "));
    }

    /** The names of those whose FFNs may be experts, for error messages: "llama, qwen3moe, granitemoe, gpt-oss". */
    public static String expertNames() {
        return Arrays.stream(values()).filter(Architecture::allowsExperts).map(Architecture::ggufName).collect(Collectors.joining(", "));
    }
}
