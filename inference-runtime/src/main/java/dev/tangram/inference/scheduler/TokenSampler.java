package dev.tangram.inference.scheduler;

import dev.tangram.inference.sampling.Sampler;
import dev.tangram.inference.tokenizer.Tokenizer;

import java.util.function.Function;

/** Picks the next token of one sequence from its logits; one instance per sequence, so it may keep a random state. */
@FunctionalInterface
public interface TokenSampler {
    int sample(float[] logits);

    /**
     * A {@link Sampler} for each request, with the request's prompt (the repetition penalty looks at it), the model's
     * end-of-generation tokens (masked until the request's {@code min_tokens} are drawn) and its tokens' text (which a
     * JSON {@code response_format} reads).
     */
    static Function<GenerationRequest, TokenSampler> perRequest(Tokenizer tokenizer) {
        int[] endTokens = tokenizer.endOfGenerationTokens();
        byte[][] tokenText = new byte[tokenizer.vocabSize()][];
        for (int t = 0; t < tokenText.length; t++) {
            tokenText[t] = tokenizer.isText(t) ? tokenizer.tokenBytes(t) : new byte[0];
        }
        return r -> new Sampler(r.sampling(), r.promptTokens(), endTokens, tokenText)::sample;
    }
}
