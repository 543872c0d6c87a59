package dev.tangram.inference.scheduler;

import dev.tangram.inference.kv.SequenceBlocks;
import dev.tangram.inference.sampling.TokenLogprobs;

import java.util.Arrays;

/** The mutable state of one request inside the scheduler (engine thread only). */
final class Sequence {
    final GenerationRequest request;
    final TokenSampler sampler;
    final long arrivalNanos;
    /** When it was first scheduled (0 until then): the end of its time in the queue. */
    long scheduledNanos;
    final SequenceBlocks blocks = new SequenceBlocks();
    /** Its blocks in the sliding-window layers' pool, where the cache has one. */
    final SequenceBlocks windowBlocks = new SequenceBlocks();
    private int[] tokens;
    private int length;
    /** Tokens whose keys and values are in the cache. */
    int computed;
    int cachedTokens;
    int preemptions;
    long firstTokenNanos;
    long lastTokenNanos;
    /** The prompt's log-probabilities as they are computed, where asked for; handed over once complete. */
    final TokenLogprobs[] promptScores;
    boolean promptScored;

    Sequence(GenerationRequest request, TokenSampler sampler, long arrivalNanos) {
        this.request = request;
        this.sampler = sampler;
        this.arrivalNanos = arrivalNanos;
        this.tokens = Arrays.copyOf(request.promptTokens(), request.promptTokens().length + Math.min(request.maxTokens(), 64));
        this.length = request.promptTokens().length;
        this.promptScores = request.promptLogprobs() < 0 ? null : new TokenLogprobs[length];
    }

    /** Whether the prompt's log-probabilities are still to be computed (so no block may come from the prefix cache). */
    boolean scoresPrompt() {
        return promptScores != null && !promptScored;
    }

    String id() {
        return request.id();
    }

    int length() {
        return length;
    }

    int promptLength() {
        return request.promptTokens().length;
    }

    int generated() {
        return length - promptLength();
    }

    /** The token array (only the first {@link #length()} entries are meaningful). */
    int[] tokens() {
        return tokens;
    }

    void append(int token) {
        if (length == tokens.length) {
            tokens = Arrays.copyOf(tokens, tokens.length * 2);
        }
        tokens[length++] = token;
    }

    /** Tokens still to push through the model before the next token can be sampled. */
    int uncomputed() {
        return length - computed;
    }
}
