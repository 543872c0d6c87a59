package dev.tangram.inference.scheduler;

import dev.tangram.inference.sampling.SamplingParams;
import dev.tangram.inference.sampling.TokenLogprobs;

import java.util.Objects;

/**
 * One request as the scheduler sees it: prompt token ids, how many tokens to generate at most, how to sample, where the
 * tokens go, whether the end-of-generation token ends it (vLLM's {@code ignore_eos} says it does not), and how many
 * alternatives' log-probabilities to report with each generated token ({@code logprobs}) and with each prompt token
 * ({@code promptLogprobs}); -1 for no log-probabilities at all. A request that wants its prompt's log-probabilities
 * computes its whole prompt, since blocks taken from the prefix cache have none.
 */
public record GenerationRequest(String id, int[] promptTokens, int maxTokens, SamplingParams sampling, TokenSink sink, boolean ignoreEos,
                                int logprobs, int promptLogprobs) {
    /** A request that ends at the model's end-of-generation token and reports no log-probabilities. */
    public GenerationRequest(String id, int[] promptTokens, int maxTokens, SamplingParams sampling, TokenSink sink) {
        this(id, promptTokens, maxTokens, sampling, sink, false, -1, -1);
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
        if (logprobs < -1 || logprobs > TokenLogprobs.MAX_TOP || promptLogprobs < -1 || promptLogprobs > TokenLogprobs.MAX_TOP) {
            throw new IllegalArgumentException("logprobs and promptLogprobs must be -1 (none) or 0.." + TokenLogprobs.MAX_TOP + ", got "
                    + logprobs + " and " + promptLogprobs);
        }
    }
}
