package dev.tangram.inference.http;

import dev.tangram.inference.scheduler.Completion;
import dev.tangram.inference.scheduler.TokenSink;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** Hands one request's tokens from the engine thread to the HTTP thread that writes them. */
final class GenerationStream implements TokenSink {
    /** A token, or the end. */
    record Event(int token, Completion completion) {
    }

    private final LinkedBlockingQueue<Event> queue = new LinkedBlockingQueue<>();

    @Override
    public void onToken(int token) {
        queue.add(new Event(token, null));
    }

    @Override
    public void onFinish(Completion completion) {
        queue.add(new Event(-1, completion));
    }

    Event next(long timeout, TimeUnit unit) throws InterruptedException {
        return queue.poll(timeout, unit);
    }
}
