package dev.tangram.inference.http;

import dev.tangram.inference.sampling.TokenLogprobs;
import dev.tangram.inference.scheduler.Completion;
import dev.tangram.inference.scheduler.EngineLoop;
import dev.tangram.inference.scheduler.FinishReason;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Turns the engine's tokens for one request's choices into text as it becomes safe to send (whole UTF-8 characters, no
 * possible start of a stop sequence), with the log-probabilities of the tokens it came from, and says when each choice
 * ends. A stop sequence ends its choice at once: the engine request is cancelled and what it still sends is dropped.
 * With {@code echo}, each choice's text starts with the prompt's (with the prompt's log-probabilities where the engine
 * sent them); with {@code max_tokens} 0, which the engine cannot do, the one token it generates is dropped.
 */
final class AnswerDrain {
    /**
     * How a choice ended: its {@code finish_reason}, the tokens it generated, the engine's account, and vLLM's
     * {@code stop_reason}: the stop string or stop token id that ended it (null and -1 when neither did).
     */
    record Outcome(String finishReason, int completionTokens, Completion completion, String stopString, int stopToken) {
    }

    /** What the drain tells the writer of the answer; either call may throw {@link ClientGone}. */
    interface Listener {
        /** Text of choice {@code choice} now safe to send, and the log-probabilities of its tokens (may be empty). */
        void text(int choice, String text, List<LogprobsJson.Logged> logprobs);

        /** Choice {@code choice} has ended; nothing more comes for it. */
        void finished(int choice, Outcome outcome);
    }

    /** One choice's progress. */
    private static final class Choice {
        final String engineId;
        final TextAssembler text;
        List<LogprobsJson.Logged> pending = new ArrayList<>();
        /** Characters handed over: no token's text can start after them (a stop sequence cut the text there). */
        int sent;
        int tokens;
        boolean finished;
        /** Whether the echoed prompt has been handed over; its length, where the generated text's offsets start. */
        boolean echoed;
        int base;

        Choice(String engineId, TextAssembler text) {
            this.engineId = engineId;
            this.text = text;
        }
    }

    private final EngineLoop engine;
    private final GenerationStream stream;
    private final List<Choice> choices = new ArrayList<>();
    private final long watchNanos;
    private final List<PromptEcho> echoes;
    private final boolean dropGenerated;

    /**
     * @param engineIds     the engine request of each choice, in choice order
     * @param texts         a text assembler per choice, in the same order
     * @param watchNanos    how often to ask whether the client is gone
     * @param echoes        per choice, the prompt to put before its text, or null
     * @param dropGenerated whether the generated tokens are to be dropped ({@code max_tokens} 0 with {@code echo})
     */
    AnswerDrain(EngineLoop engine, GenerationStream stream, List<String> engineIds, List<TextAssembler> texts, long watchNanos,
                List<PromptEcho> echoes, boolean dropGenerated) {
        this.engine = engine;
        this.stream = stream;
        this.echoes = echoes;
        this.dropGenerated = dropGenerated;
        for (int i = 0; i < engineIds.size(); i++) {
            choices.add(new Choice(engineIds.get(i), texts.get(i)));
        }
        this.watchNanos = watchNanos;
    }

    int choices() {
        return choices.size();
    }

    /**
     * Runs until every choice has ended. Every {@code watchNanos} asks {@code clientGone}; once it says so, or once the
     * listener throws {@link ClientGone}, cancels every choice still running and throws {@link ClientGone}.
     */
    void run(BooleanSupplier clientGone, Listener listener) throws InterruptedException {
        int running = choices.size();
        long nextWatch = System.nanoTime() + watchNanos;
        try {
            while (running > 0) {
                GenerationStream.Event e = stream.next(watchNanos, TimeUnit.NANOSECONDS);
                if (System.nanoTime() - nextWatch >= 0) {
                    nextWatch = System.nanoTime() + watchNanos;
                    if (clientGone.getAsBoolean()) {
                        throw new ClientGone("the client closed the connection");
                    }
                }
                if (e != null && take(e, listener)) {
                    running--;
                }
            }
        } catch (ClientGone gone) {
            cancelRunning();
            throw gone;
        }
    }

    /** Handles one event; answers whether it ended its choice. */
    private boolean take(GenerationStream.Event e, Listener listener) {
        Choice c = choices.get(e.choice());
        PromptEcho echo = echoes.get(e.choice());
        if (echo != null && !c.echoed) {
            c.echoed = true;
            c.base = echo.text().length();
            listener.text(e.choice(), echo.text(), echoed(echo, e.prompt()));
            if (e.prompt() != null) {
                return false;
            }
        }
        if (e.completion() != null) {
            String rest = c.text.stopped() ? "" : c.text.flush();
            listener.text(e.choice(), rest, clamped(c.pending, c.base + c.sent + rest.length()));
            c.pending = new ArrayList<>();
            c.finished = true;
            String reason = c.text.stopped() ? "stop" : e.completion().reason().openAiName();
            int generated = c.text.stopped() ? c.tokens : e.completion().completionTokens();
            if (dropGenerated) {
                reason = FinishReason.LENGTH.openAiName();
                generated = 0;
            }
            boolean cut = c.text.stopped() && !dropGenerated;
            listener.finished(e.choice(), new Outcome(reason, generated, e.completion(), cut ? c.text.stopString() : null,
                    cut ? c.text.stopToken() : -1));
            return true;
        }
        if (c.text.stopped() || dropGenerated || e.prompt() != null) {
            return false;
        }
        c.tokens++;
        if (e.logprobs() != null) {
            c.pending.add(new LogprobsJson.Logged(e.logprobs(), c.base + c.text.length()));
        }
        String chunk = c.text.add(e.token());
        if (!chunk.isEmpty()) {
            c.sent += chunk.length();
            listener.text(e.choice(), chunk, clamped(c.pending, c.base + c.sent));
            c.pending = new ArrayList<>();
        }
        if (c.text.stopped()) {
            engine.cancel(c.engineId); // a stop string or token ended it: what the engine still sends is dropped above
        }
        return false;
    }

    /** The echoed prompt's tokens with their log-probabilities (none where the engine sent none). */
    private static List<LogprobsJson.Logged> echoed(PromptEcho echo, TokenLogprobs[] scores) {
        if (scores == null) {
            return List.of();
        }
        List<LogprobsJson.Logged> out = new ArrayList<>();
        for (int i = 0; i < echo.tokens().length; i++) {
            TokenLogprobs lp = scores[i] == null ? TokenLogprobs.unscored(echo.tokens()[i]) : scores[i];
            out.add(new LogprobsJson.Logged(lp, echo.offsets()[i]));
        }
        return out;
    }

    /** Cancels every choice that has not ended (the client left, or the answer cannot be written). */
    void cancelRunning() {
        for (Choice c : choices) {
            if (!c.finished) {
                engine.cancel(c.engineId);
            }
        }
    }

    /** The logged tokens with no text offset past {@code end} (the tokens of a stop sequence start where it was cut). */
    private static List<LogprobsJson.Logged> clamped(List<LogprobsJson.Logged> logged, int end) {
        return logged.stream().map(l -> l.textOffset() <= end ? l : new LogprobsJson.Logged(l.logprobs(), end)).toList();
    }
}
