package dev.tangram.inference.scheduler;

import dev.tangram.inference.sampling.Sampler;

import java.util.function.Function;

/** Picks the next token of one sequence from its logits; one instance per sequence, so it may keep a random state. */
@FunctionalInterface
public interface TokenSampler {
    int sample(float[] logits);

    /**
     * A {@link Sampler} for each request, with the request's prompt (the repetition penalty looks at it) and the model's
     * end-of-generation tokens (masked until the request's {@code min_tokens} are drawn).
     */
    static Function<GenerationRequest, TokenSampler> perRequest(int[] endTokens) {
        return r -> new Sampler(r.sampling(), r.promptTokens(), endTokens)::sample;
    }
}
