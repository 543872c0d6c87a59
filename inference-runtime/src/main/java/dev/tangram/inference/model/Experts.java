package dev.tangram.inference.model;

/**
 * A mixture-of-experts FFN's shape: each block has {@code count} gated FFNs (experts) {@code ffn} wide and a router;
 * each token goes through the {@code used} experts the router ranks highest, their outputs summed with the router's
 * softmax probabilities renormalised over those chosen (llama.cpp's softmax gating with normalised weights, as its
 * {@code llama}, {@code qwen3moe} and {@code granitemoe} graphs use). {@link #NONE} for a dense model.
 *
 * @param count {@code <arch>.expert_count}
 * @param used  {@code <arch>.expert_used_count}
 * @param ffn   an expert's hidden width ({@code <arch>.expert_feed_forward_length} for Qwen3-MoE,
 *              {@code <arch>.feed_forward_length} for Mixtral and Granite MoE)
 */
public record Experts(int count, int used, int ffn) {
    public static final Experts NONE = new Experts(0, 0, 0);

    public Experts {
        if (count == 0 ? used != 0 || ffn != 0 : count < 2 || used < 1 || used > count || ffn < 1) {
            throw new IllegalArgumentException("a mixture of experts needs at least 2 experts, 1 to all of them used per token and a "
                    + "positive width: " + count + " experts, " + used + " used, " + ffn + " wide");
        }
    }

    /** Whether the blocks' FFNs are experts (false for a dense model). */
    public boolean present() {
        return count > 0;
    }
}
