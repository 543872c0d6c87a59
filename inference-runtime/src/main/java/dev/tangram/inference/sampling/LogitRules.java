package dev.tangram.inference.sampling;

import java.util.Map;
import java.util.Set;

/**
 * What changes the logits before a token is picked: penalties on tokens already seen, a fixed bias per token, and a
 * minimum length before the end of generation (or a stop token) may be drawn. Applied in vLLM's order: the end tokens masked while fewer
 * than {@code minTokens} are drawn, the bias added, then the repetition penalty, then the frequency and presence
 * penalties.
 *
 * @param presencePenalty   subtracted once from the logit of every token already generated (OpenAI's {@code presence_penalty})
 * @param frequencyPenalty  subtracted from a token's logit once per time it was generated ({@code frequency_penalty})
 * @param repetitionPenalty vLLM's {@code repetition_penalty}: the logit of a token in the prompt or the output is divided by
 *                          it when positive, multiplied when negative; 1 leaves it alone
 * @param logitBias         added to the logit of each token id ({@code logit_bias})
 * @param minTokens         vLLM's {@code min_tokens}: the end-of-generation tokens cannot be drawn before this many tokens
 * @param json              {@code response_format}'s JSON, or null for free text: only tokens that keep the output the start
 *                          of such a document may be drawn, and the end of generation only once it is whole (which
 *                          {@code minTokens} then does not hold off)
 * @param stopTokens        vLLM's {@code stop_token_ids}: tokens that end the answer besides the model's end tokens, masked
 *                          with them until {@code minTokens} are drawn
 */
public record LogitRules(float presencePenalty, float frequencyPenalty, float repetitionPenalty, Map<Integer, Float> logitBias,
                         int minTokens, JsonFormat json, Set<Integer> stopTokens) {
    public static final LogitRules NONE = new LogitRules(0f, 0f, 1f, Map.of(), 0, null);

    /** Rules without a JSON constraint. */
    public LogitRules(float presencePenalty, float frequencyPenalty, float repetitionPenalty, Map<Integer, Float> logitBias, int minTokens) {
        this(presencePenalty, frequencyPenalty, repetitionPenalty, logitBias, minTokens, null);
    }

    /** Rules without stop tokens. */
    public LogitRules(float presencePenalty, float frequencyPenalty, float repetitionPenalty, Map<Integer, Float> logitBias, int minTokens,
                      JsonFormat json) {
        this(presencePenalty, frequencyPenalty, repetitionPenalty, logitBias, minTokens, json, Set.of());
    }

    public LogitRules {
        if (!Float.isFinite(presencePenalty) || !Float.isFinite(frequencyPenalty)) {
            throw new IllegalArgumentException("penalties must be finite, got presence " + presencePenalty + " and frequency " + frequencyPenalty);
        }
        if (!(repetitionPenalty > 0) || !Float.isFinite(repetitionPenalty)) {
            throw new IllegalArgumentException("repetition_penalty must be a finite number > 0, got " + repetitionPenalty);
        }
        if (minTokens < 0) {
            throw new IllegalArgumentException("min_tokens must be >= 0, got " + minTokens);
        }
        logitBias = Map.copyOf(logitBias);
        stopTokens = Set.copyOf(stopTokens);
        for (Map.Entry<Integer, Float> e : logitBias.entrySet()) {
            if (e.getKey() < 0 || !Float.isFinite(e.getValue())) {
                throw new IllegalArgumentException("logit_bias needs token ids >= 0 and finite biases, got " + e);
            }
        }
    }

    /** Whether the rules change nothing, so the logits can be sampled as they are. */
    public boolean isNone() {
        return presencePenalty == 0 && frequencyPenalty == 0 && repetitionPenalty == 1 && logitBias.isEmpty() && minTokens == 0
                && json == null;
    }
}
