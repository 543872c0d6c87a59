package dev.tangram.inference.model;

/**
 * The shape of a Llama-family decoder, as read from GGUF metadata ({@code <arch>.*} keys, {@code arch} being
 * {@code general.architecture}).
 *
 * @param layers        transformer blocks ({@code <arch>.block_count})
 * @param dim           model width ({@code <arch>.embedding_length})
 * @param heads         query heads ({@code <arch>.attention.head_count})
 * @param kvHeads       key/value heads, grouped-query attention ({@code <arch>.attention.head_count_kv})
 * @param headDim       {@code <arch>.attention.key_length}, dim / heads where absent
 * @param ffnDim        SwiGLU hidden width ({@code <arch>.feed_forward_length})
 * @param vocabSize     tokens in the vocabulary
 * @param contextLength longest sequence ({@code <arch>.context_length})
 * @param ropeTheta     RoPE base frequency ({@code <arch>.rope.freq_base})
 * @param rmsEps        RMSNorm epsilon ({@code <arch>.attention.layer_norm_rms_epsilon})
 * @param architecture  what the architecture changes in the block
 * @param rope          how RoPE's angles are scaled: linear scaling, YaRN, the rotated values' attention factor
 * @param scales        the architecture's multipliers ({@link DecoderScales#NONE} but for Granite and Gemma)
 * @param window        the layers that attend over a sliding window ({@link SlidingWindow#NONE} but for Gemma and OLMo 3),
 *                      with their own RoPE base and scale
 * @param ropeDims      the values of each head RoPE rotates, from the first ({@code <arch>.rope.dimension_count}; the
 *                      head size but for Phi-4-mini's partial rotation); the others pass unrotated
 * @param longRope      Phi-3's LongRoPE, or {@link LongRope#NONE}
 * @param experts       the blocks' mixture of experts, or {@link Experts#NONE} for dense FFNs ({@link #ffnDim} wide)
 */
public record LlamaConfig(int layers, int dim, int heads, int kvHeads, int headDim, int ffnDim, int vocabSize, int contextLength,
                          float ropeTheta, float rmsEps, Architecture architecture, RopeScaling rope, DecoderScales scales,
                          SlidingWindow window, int ropeDims, LongRope longRope, Experts experts) {
    /**
     * Phi-3's LongRoPE, as llama.cpp applies it: each RoPE frequency divided by a factor per pair, the file's
     * {@code rope_factors_long} where the served context exceeds {@code originalContext}, else its
     * {@code rope_factors_short} (the rotated values' attention factor, which its files carry, is {@link RopeScaling}'s).
     *
     * @param originalContext {@code <arch>.rope.scaling.original_context_length} (0: no LongRoPE)
     */
    public record LongRope(int originalContext) {
        public static final LongRope NONE = new LongRope(0);

        /** Whether a model served with {@code context} positions takes the long factors. */
        public boolean takesLong(int context) {
            return context > originalContext;
        }
    }

    public LlamaConfig {
        if (ropeDims < 2 || ropeDims > headDim || ropeDims % 2 != 0) {
            throw new IllegalArgumentException("RoPE must rotate an even number of a head's " + headDim + " values, at least 2: " + ropeDims);
        }
        if (window.local().length() > layers) {
            throw new IllegalArgumentException("the sliding window names layer " + (window.local().length() - 1) + " of " + layers);
        }
        if (layers < 1 || dim < 1 || heads < 1 || kvHeads < 1 || headDim < 1 || ffnDim < 1 || vocabSize < 1 || contextLength < 1) {
            throw new IllegalArgumentException("every dimension of a model must be positive: " + this);
        }
        if (heads % kvHeads != 0) {
            throw new IllegalArgumentException("heads (" + heads + ") must be a multiple of kv heads (" + kvHeads + ")");
        }
        if (headDim % 2 != 0) {
            throw new IllegalArgumentException("the head size (" + headDim + ") must be even for RoPE");
        }
        if (architecture.experts() && !experts.present()) {
            throw new IllegalArgumentException("a " + architecture.ggufName() + " model's FFNs are experts: it needs an expert count");
        }
    }

    /** A model without YaRN or an attention factor: positions multiplied by {@code ropeScale}. */
    public LlamaConfig(int layers, int dim, int heads, int kvHeads, int headDim, int ffnDim, int vocabSize, int contextLength,
                       float ropeTheta, float rmsEps, Architecture architecture, float ropeScale, DecoderScales scales,
                       SlidingWindow window, int ropeDims, LongRope longRope, Experts experts) {
        this(layers, dim, heads, kvHeads, headDim, ffnDim, vocabSize, contextLength, ropeTheta, rmsEps, architecture,
                RopeScaling.linear(ropeScale), scales, window, ropeDims, longRope, experts);
    }

    /** A model with dense FFNs. */
    public LlamaConfig(int layers, int dim, int heads, int kvHeads, int headDim, int ffnDim, int vocabSize, int contextLength,
                       float ropeTheta, float rmsEps, Architecture architecture, float ropeScale, DecoderScales scales,
                       SlidingWindow window, int ropeDims, LongRope longRope) {
        this(layers, dim, heads, kvHeads, headDim, ffnDim, vocabSize, contextLength, ropeTheta, rmsEps, architecture, ropeScale, scales,
                window, ropeDims, longRope, Experts.NONE);
    }

    /** A model without sliding-window layers. */
    public LlamaConfig(int layers, int dim, int heads, int kvHeads, int headDim, int ffnDim, int vocabSize, int contextLength,
                       float ropeTheta, float rmsEps, Architecture architecture, float ropeScale, DecoderScales scales) {
        this(layers, dim, heads, kvHeads, headDim, ffnDim, vocabSize, contextLength, ropeTheta, rmsEps, architecture, ropeScale, scales,
                SlidingWindow.NONE);
    }

    /** A model whose RoPE rotates whole heads, without LongRoPE. */
    public LlamaConfig(int layers, int dim, int heads, int kvHeads, int headDim, int ffnDim, int vocabSize, int contextLength,
                       float ropeTheta, float rmsEps, Architecture architecture, float ropeScale, DecoderScales scales, SlidingWindow window) {
        this(layers, dim, heads, kvHeads, headDim, ffnDim, vocabSize, contextLength, ropeTheta, rmsEps, architecture, ropeScale, scales,
                window, headDim, LongRope.NONE);
    }

    /** This model served with at most {@code limit} positions (0 or more than its context: as it is). */
    public LlamaConfig servedWith(int limit) {
        int served = limit > 0 && limit < contextLength ? limit : contextLength;
        return new LlamaConfig(layers, dim, heads, kvHeads, headDim, ffnDim, vocabSize, served, ropeTheta, rmsEps, architecture, rope,
                scales, window, ropeDims, longRope, experts);
    }

    /** A {@code llama} model without RoPE scaling or multipliers. */
    public LlamaConfig(int layers, int dim, int heads, int kvHeads, int headDim, int ffnDim, int vocabSize, int contextLength,
                       float ropeTheta, float rmsEps) {
        this(layers, dim, heads, kvHeads, headDim, ffnDim, vocabSize, contextLength, ropeTheta, rmsEps, Architecture.LLAMA, 1f,
                DecoderScales.NONE);
    }

    /**
     * Whether layer {@code l} rotates its queries and keys: as the architecture says ({@link Architecture#rotates}), and
     * for EXAONE 4 with a window only the sliding layers (its global layers attend without positions, as llama.cpp's graph).
     */
    public boolean rotates(int l) {
        if (architecture == Architecture.EXAONE4 && window.size() > 0) {
            return window.isLocal(l);
        }
        return architecture.rotates(l);
    }

    /** The factor positions are multiplied by before RoPE (where YaRN does not keep a pair's frequency). */
    public float ropeScale() {
        return rope.positionScale();
    }

    /** The width of a block's FFN activation: an expert's where the FFNs are experts, else {@link #ffnDim}. */
    public int ffnWidth() {
        return experts.present() ? experts.ffn() : ffnDim;
    }

    /** Floats of K (or of V) per token per layer. */
    public int kvDim() {
        return kvHeads * headDim;
    }

    /** Floats of Q per token: heads × headDim, which need not be {@link #dim}. */
    public int qDim() {
        return heads * headDim;
    }
}
