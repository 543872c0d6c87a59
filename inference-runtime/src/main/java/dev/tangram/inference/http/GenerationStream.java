package dev.tangram.inference.http;

import dev.tangram.inference.sampling.TokenLogprobs;
import dev.tangram.inference.scheduler.Completion;
import dev.tangram.inference.scheduler.TokenSink;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** Hands one request's tokens from the engine thread to the HTTP thread that writes them. */
final class GenerationStream implements TokenSink {
    /** A token (with its log-probabilities where asked for), or the end. */
    record Event(int token, TokenLogprobs logprobs, Completion completion) {
    }

    private final LinkedBlockingQueue<Event> queue = new LinkedBlockingQueue<>();

    @Override
    public void onToken(int token) {
        onToken(token, null);
    }

    @Override
    public void onToken(int token, TokenLogprobs logprobs) {
        queue.add(new Event(token, logprobs, null));
    }

    @Override
    public void onFinish(Completion completion) {
        queue.add(new Event(-1, null, completion));
    }

    Event next(long timeout, TimeUnit unit) throws InterruptedException {
        return queue.poll(timeout, unit);
    }
}
