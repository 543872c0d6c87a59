package dev.tangram.inference.sampling;

import java.util.Objects;

/**
 * How to pick the next token. {@code temperature == 0} means greedy (top-k and top-p are then ignored; the logit rules
 * still apply).
 *
 * @param temperature softmax temperature, ≥ 0
 * @param topK        keep the k most likely tokens; 0 = all
 * @param topP        keep the smallest set whose probability reaches p; 1 = all
 * @param seed        random seed, for reproducible sampling
 * @param rules       penalties, bias and minimum length applied to the logits first
 * @param minP        vLLM's {@code min_p}: keep only tokens at least this fraction as likely as the likeliest; 0 = all
 */
public record SamplingParams(float temperature, int topK, float topP, long seed, LogitRules rules, float minP) {
    public static final SamplingParams GREEDY = new SamplingParams(0f, 0, 1f, 0L);

    /** No logit rules. */
    public SamplingParams(float temperature, int topK, float topP, long seed) {
        this(temperature, topK, topP, seed, LogitRules.NONE);
    }

    /** No {@code min_p}. */
    public SamplingParams(float temperature, int topK, float topP, long seed, LogitRules rules) {
        this(temperature, topK, topP, seed, rules, 0f);
    }

    public SamplingParams {
        if (temperature < 0 || Float.isNaN(temperature)) {
            throw new IllegalArgumentException("temperature must be >= 0, got " + temperature);
        }
        if (topK < 0) {
            throw new IllegalArgumentException("top_k must be >= 0, got " + topK);
        }
        if (!(topP > 0 && topP <= 1)) {
            throw new IllegalArgumentException("top_p must be in (0, 1], got " + topP);
        }
        Objects.requireNonNull(rules, "rules");
        if (!(minP >= 0 && minP <= 1)) {
            throw new IllegalArgumentException("min_p must be in [0, 1], got " + minP);
        }
    }

    /** The same parameters with another seed. */
    public SamplingParams withSeed(long otherSeed) {
        return new SamplingParams(temperature, topK, topP, otherSeed, rules, minP);
    }
}
