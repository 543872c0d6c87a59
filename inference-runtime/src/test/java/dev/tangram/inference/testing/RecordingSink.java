package dev.tangram.inference.testing;

import dev.tangram.inference.sampling.TokenLogprobs;
import dev.tangram.inference.scheduler.Completion;
import dev.tangram.inference.scheduler.TokenSink;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** Collects a request's tokens and its completion. */
public final class RecordingSink implements TokenSink {
    private final List<Integer> tokens = new ArrayList<>();
    private final List<TokenLogprobs> logprobs = new ArrayList<>();
    private TokenLogprobs[] promptLogprobs;
    private boolean promptBeforeTokens;
    private final CompletableFuture<Completion> done = new CompletableFuture<>();

    @Override
    public synchronized void onToken(int token) {
        tokens.add(token);
    }

    @Override
    public synchronized void onToken(int token, TokenLogprobs lp) {
        onToken(token);
        logprobs.add(lp);
    }

    @Override
    public synchronized void onPromptLogprobs(TokenLogprobs[] scores) {
        if (promptLogprobs != null) {
            throw new IllegalStateException("prompt log-probabilities handed over twice");
        }
        promptLogprobs = scores.clone();
        promptBeforeTokens = tokens.isEmpty();
    }

    /** The prompt's log-probabilities, or null where none came; and whether they came before the first token. */
    public synchronized TokenLogprobs[] promptLogprobs() {
        return promptLogprobs;
    }

    public synchronized boolean promptLogprobsBeforeTokens() {
        return promptBeforeTokens;
    }

    @Override
    public void onFinish(Completion completion) {
        done.complete(completion);
    }

    public synchronized List<Integer> tokens() {
        return List.copyOf(tokens);
    }

    /** The log-probabilities passed with each token (null entries where none were asked for). */
    public synchronized List<TokenLogprobs> logprobs() {
        return new ArrayList<>(logprobs);
    }

    public boolean finished() {
        return done.isDone();
    }

    public Completion completion() {
        return done.getNow(null);
    }

    public CompletableFuture<Completion> future() {
        return done;
    }
}
