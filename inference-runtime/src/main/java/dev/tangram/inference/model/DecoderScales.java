package dev.tangram.inference.model;

/**
 * The multipliers some architectures put into the Llama block (Granite's; {@link #NONE} for the others), as llama.cpp
 * applies them.
 *
 * @param embedding each token's embedding is multiplied by this ({@code <arch>.embedding_scale}; 1: none)
 * @param residual  each block's attention and FFN output is multiplied by this before it joins the residual stream
 *                  ({@code <arch>.residual_scale}; 1: none)
 * @param attention the attention scores' scale ({@code <arch>.attention.scale}); 0 means {@code 1 / sqrt(headDim)}
 * @param logit     the logits are divided by this ({@code <arch>.logit_scale}; 1: none)
 */
public record DecoderScales(float embedding, float residual, float attention, float logit) {
    public static final DecoderScales NONE = new DecoderScales(1, 1, 0, 1);

    public DecoderScales {
        if (!(Float.isFinite(embedding) && Float.isFinite(residual) && Float.isFinite(attention) && Float.isFinite(logit))
                || logit == 0 || attention < 0) {
            throw new IllegalArgumentException("the decoder's multipliers must be finite, the logit scale non-zero and the attention "
                    + "scale not negative: " + this);
        }
    }

    /** The factor attention scores are multiplied by for heads of {@code headDim}. */
    public float attentionScale(int headDim) {
        return attention == 0 ? (float) (1.0 / Math.sqrt(headDim)) : attention;
    }
}
