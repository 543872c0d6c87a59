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

    /** The request is over; no call follows. */
    void onFinish(Completion completion);
}
