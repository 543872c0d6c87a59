package dev.tangram.inference.scheduler;

/**
 * Where one request's output goes. Called on the engine thread, so implementations must not block (hand over to a
 * queue).
 */
public interface TokenSink {
    /** A generated token (end-of-generation tokens are not passed on). */
    void onToken(int token);

    /** The request is over; no call follows. */
    void onFinish(Completion completion);
}
