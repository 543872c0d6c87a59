package dev.tangram.inference.scheduler;

import dev.tangram.inference.sampling.TokenLogprobs;

/**
 * Where one request's output goes. Called on the engine thread, so implementations must not block (hand over to a
 * queue).
 */
public interface TokenSink {
    /** A generated token (end-of-generation tokens are not passed on). */
    void onToken(int token);

    /**
     * A generated token with its log-probabilities, or null where the request asked for none. Passes the token to
     * {@link #onToken(int)} unless overridden.
     */
    default void onToken(int token, TokenLogprobs logprobs) {
        onToken(token);
    }

    /**
     * The log-probabilities of the prompt's tokens, where the request asked for them: {@code scores[i]} is that of prompt
     * token {@code i} given those before it ({@code scores[0]} is null: nothing comes before the first). Called once,
     * before the first token.
     */
    default void onPromptLogprobs(TokenLogprobs[] scores) {
    }

    /** The request is over; no call follows. */
    void onFinish(Completion completion);
}
