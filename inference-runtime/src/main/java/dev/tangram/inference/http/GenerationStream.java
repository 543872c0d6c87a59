package dev.tangram.inference.http;

import dev.tangram.inference.sampling.TokenLogprobs;
import dev.tangram.inference.scheduler.Completion;
import dev.tangram.inference.scheduler.TokenSink;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Hands the tokens of one HTTP request's choices (one per engine request) from the engine thread to the HTTP thread
 * that writes them, in the order they were generated.
 */
final class GenerationStream {
    /**
     * A token of a choice (with its log-probabilities where asked for), the log-probabilities of its prompt's tokens, or
     * the end of that choice.
     */
    record Event(int choice, int token, TokenLogprobs logprobs, TokenLogprobs[] prompt, Completion completion) {
    }

    private final LinkedBlockingQueue<Event> queue = new LinkedBlockingQueue<>();

    /** Where the engine sends the tokens of choice {@code choice}. */
    TokenSink sink(int choice) {
        return new TokenSink() {
            @Override
            public void onToken(int token) {
                onToken(token, null);
            }

            @Override
            public void onToken(int token, TokenLogprobs logprobs) {
                queue.add(new Event(choice, token, logprobs, null, null));
            }

            @Override
            public void onPromptLogprobs(TokenLogprobs[] scores) {
                queue.add(new Event(choice, -1, null, scores, null));
            }

            @Override
            public void onFinish(Completion completion) {
                queue.add(new Event(choice, -1, null, null, completion));
            }
        };
    }

    Event next(long timeout, TimeUnit unit) throws InterruptedException {
        return queue.poll(timeout, unit);
    }
}
