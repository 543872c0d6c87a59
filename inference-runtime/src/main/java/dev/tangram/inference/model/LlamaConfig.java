package dev.tangram.inference.model;

/**
 * The shape of a Llama-family decoder, as read from GGUF metadata ({@code llama.*} keys).
 *
 * @param layers        transformer blocks ({@code llama.block_count})
 * @param dim           model width ({@code llama.embedding_length})
 * @param heads         query heads ({@code llama.attention.head_count})
 * @param kvHeads       key/value heads, grouped-query attention ({@code llama.attention.head_count_kv})
 * @param headDim       dim / heads
 * @param ffnDim        SwiGLU hidden width ({@code llama.feed_forward_length})
 * @param vocabSize     tokens in the vocabulary
 * @param contextLength longest sequence ({@code llama.context_length})
 * @param ropeTheta     RoPE base frequency ({@code llama.rope.freq_base})
 * @param rmsEps        RMSNorm epsilon ({@code llama.attention.layer_norm_rms_epsilon})
 */
public record LlamaConfig(int layers, int dim, int heads, int kvHeads, int headDim, int ffnDim, int vocabSize, int contextLength,
                          float ropeTheta, float rmsEps) {
    public LlamaConfig {
        if (layers < 1 || dim < 1 || heads < 1 || kvHeads < 1 || headDim < 1 || ffnDim < 1 || vocabSize < 1 || contextLength < 1) {
            throw new IllegalArgumentException("every dimension of a model must be positive: " + this);
        }
        if (heads % kvHeads != 0) {
            throw new IllegalArgumentException("heads (" + heads + ") must be a multiple of kv heads (" + kvHeads + ")");
        }
    }

    /** Floats of K (or of V) per token per layer. */
    public int kvDim() {
        return kvHeads * headDim;
    }
}
