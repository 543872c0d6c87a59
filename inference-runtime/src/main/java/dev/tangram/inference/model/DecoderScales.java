package dev.tangram.inference.model;

/**
 * The multipliers some architectures put into the Llama block (Granite's, Gemma's; {@link #NONE} for the others), as
 * llama.cpp applies them.
 *
 * @param embedding each token's embedding is multiplied by this ({@code <arch>.embedding_scale}; 1: none)
 * @param residual  each block's attention and FFN output is multiplied by this before it joins the residual stream
 *                  ({@code <arch>.residual_scale}; 1: none)
 * @param attention the attention scores' scale ({@code <arch>.attention.scale}); 0 means {@code 1 / sqrt(headDim)}
 * @param logit     the logits are divided by this ({@code <arch>.logit_scale}; 1: none)
 * @param logitCap  Gemma's soft cap: the logits become {@code cap · tanh(logit / cap)} ({@code <arch>.final_logit_softcapping};
 *                  0: none)
 * @param attentionCap Gemma 2's soft cap on the attention scores, after their scale and before the softmax
 *                  ({@code <arch>.attn_logit_softcapping}; 0: none)
 */
public record DecoderScales(float embedding, float residual, float attention, float logit, float logitCap, float attentionCap) {
    public static final DecoderScales NONE = new DecoderScales(1, 1, 0, 1, 0, 0);

    public DecoderScales {
        if (!(Float.isFinite(embedding) && Float.isFinite(residual) && Float.isFinite(attention) && Float.isFinite(logit)
                && Float.isFinite(logitCap) && Float.isFinite(attentionCap)) || logit == 0 || attention < 0 || logitCap < 0 || attentionCap < 0) {
            throw new IllegalArgumentException("the decoder's multipliers must be finite, the logit scale non-zero and the attention "
                    + "scale and the caps not negative: " + this);
        }
    }

    /** Multipliers without a logit cap (Granite's). */
    public DecoderScales(float embedding, float residual, float attention, float logit) {
        this(embedding, residual, attention, logit, 0, 0);
    }

    /** The factor attention scores are multiplied by for heads of {@code headDim}. */
    public float attentionScale(int headDim) {
        return attention == 0 ? (float) (1.0 / Math.sqrt(headDim)) : attention;
    }
}
