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
 * @param queryTemperature Mistral 3's (Llama 4's) temperature tuning: each query is multiplied by
 *                  {@code 1 + β · ln(⌊position / floor⌋ + 1)} ({@code <arch>.attention.temperature_scale}, β; 0: none)
 * @param temperatureFloor the positions of one step of that logarithm (llama.cpp's {@code n_attn_temp_floor_scale}, the
 *                  YaRN original context for Mistral 3)
 */
public record DecoderScales(float embedding, float residual, float attention, float logit, float logitCap, float attentionCap,
                            float queryTemperature, int temperatureFloor) {
    public static final DecoderScales NONE = new DecoderScales(1, 1, 0, 1, 0, 0);

    public DecoderScales {
        if (!(Float.isFinite(embedding) && Float.isFinite(residual) && Float.isFinite(attention) && Float.isFinite(logit)
                && Float.isFinite(logitCap) && Float.isFinite(attentionCap) && Float.isFinite(queryTemperature)) || logit == 0 || attention < 0
                || logitCap < 0 || attentionCap < 0 || queryTemperature != 0 && temperatureFloor < 1) {
            throw new IllegalArgumentException("the decoder's multipliers must be finite, the logit scale non-zero, the attention "
                    + "scale and the caps not negative and a query temperature's floor positive: " + this);
        }
    }

    /** Multipliers without a query temperature. */
    public DecoderScales(float embedding, float residual, float attention, float logit, float logitCap, float attentionCap) {
        this(embedding, residual, attention, logit, logitCap, attentionCap, 0, 0);
    }

    /** What a query at {@code position} is multiplied by: 1 without temperature tuning (as llama.cpp computes it, in doubles). */
    public double queryScale(int position) {
        return queryTemperature == 0 ? 1 : Math.log(Math.floor((double) position / temperatureFloor) + 1.0) * queryTemperature + 1.0;
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
