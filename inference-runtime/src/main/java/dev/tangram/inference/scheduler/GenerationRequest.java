package dev.tangram.inference.scheduler;

import dev.tangram.inference.sampling.SamplingParams;

import java.util.Objects;

/**
 * One request as the scheduler sees it: prompt token ids, how many tokens to generate at most, how to sample, and
 * where the tokens go, and whether the end-of-generation token ends it (vLLM's {@code ignore_eos} says it does not).
 */
public record GenerationRequest(String id, int[] promptTokens, int maxTokens, SamplingParams sampling, TokenSink sink, boolean ignoreEos) {
    /** A request that ends at the model's end-of-generation token. */
    public GenerationRequest(String id, int[] promptTokens, int maxTokens, SamplingParams sampling, TokenSink sink) {
        this(id, promptTokens, maxTokens, sampling, sink, false);
    }

    public GenerationRequest {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(promptTokens, "promptTokens");
        Objects.requireNonNull(sampling, "sampling");
        Objects.requireNonNull(sink, "sink");
        if (promptTokens.length == 0) {
            throw new IllegalArgumentException("a prompt needs at least one token");
        }
        if (maxTokens < 1) {
            throw new IllegalArgumentException("max_tokens must be at least 1, got " + maxTokens);
        }
    }
}
