package dev.tangram.inference.sampling;

import java.util.Arrays;
import java.util.BitSet;
import java.util.Map;

/**
 * Applies one request's {@link LogitRules} to its logits, remembering what of the tokens drawn the rules read (only that:
 * a request without penalties keeps no history). The model's logits are left as they are: the rules write into a copy,
 * so that log-probabilities can still be read from the model's own distribution, as vLLM reports them by default. Not
 * thread-safe: one per request.
 */
final class LogitAdjuster {
    private final LogitRules rules;
    private final int[] endTokens;
    /** The JSON constraint, where the rules ask for one. */
    private final JsonConstraint json;
    private float[] adjusted = new float[0];
    private int draws;
    /** Every token drawn, in order: where the frequency penalty counts them. */
    private int[] history;
    /** The tokens drawn, each once: where the presence penalty applies. */
    private final TokenSet drawn;
    /** The prompt's tokens and those drawn, each once: where the repetition penalty applies. */
    private final TokenSet seen;

    /**
     * @param prompt    the prompt's tokens (the repetition penalty applies to them too)
     * @param endTokens the tokens that end generation, masked until {@code rules.minTokens()} tokens are drawn
     * @param tokenText each token's text as bytes, empty for a control token (the JSON constraint reads it)
     */
    LogitAdjuster(LogitRules rules, int[] prompt, int[] endTokens, byte[][] tokenText) {
        this.rules = rules;
        this.endTokens = endTokens;
        this.json = rules.json() == null ? null : new JsonConstraint(rules.json(), tokenText, endTokens);
        this.history = rules.frequencyPenalty() != 0 ? new int[16] : null;
        this.drawn = rules.presencePenalty() != 0 ? new TokenSet() : null;
        this.seen = rules.repetitionPenalty() != 1f ? new TokenSet() : null;
        if (seen != null) {
            for (int t : prompt) {
                seen.add(t);
            }
        }
    }

    /** The logits with the rules applied: {@code logits} itself when the rules change nothing, else a copy. */
    float[] apply(float[] logits) {
        if (rules.isNone()) {
            return logits;
        }
        int n = logits.length;
        if (adjusted.length != n) {
            adjusted = new float[n];
        }
        System.arraycopy(logits, 0, adjusted, 0, n);
        if (draws < rules.minTokens() && (json == null || !json.complete())) {
            for (int t : endTokens) {
                if (t < n) {
                    adjusted[t] = Float.NEGATIVE_INFINITY;
                }
            }
            for (int t : rules.stopTokens()) {
                if (t < n) {
                    adjusted[t] = Float.NEGATIVE_INFINITY;
                }
            }
        }
        for (Map.Entry<Integer, Float> e : rules.logitBias().entrySet()) {
            if (e.getKey() < n) {
                adjusted[e.getKey()] += e.getValue();
            }
        }
        if (seen != null) {
            float p = rules.repetitionPenalty();
            for (int i = 0; i < seen.size; i++) {
                int t = seen.tokens[i];
                if (t < n) { // a prompt token outside these logits has none to penalise
                    adjusted[t] = adjusted[t] > 0 ? adjusted[t] / p : adjusted[t] * p;
                }
            }
        }
        if (drawn != null) {
            for (int i = 0; i < drawn.size; i++) {
                adjusted[drawn.tokens[i]] -= rules.presencePenalty();
            }
        }
        if (history != null) {
            for (int i = 0; i < draws; i++) {
                adjusted[history[i]] -= rules.frequencyPenalty();
            }
        }
        if (json != null) {
            json.mask(adjusted);
        }
        return adjusted;
    }

    /** Records a token drawn. */
    void drawn(int token) {
        if (json != null) {
            json.advance(token);
        }
        if (history != null) {
            if (draws == history.length) {
                history = Arrays.copyOf(history, draws * 2);
            }
            history[draws] = token;
        }
        draws++;
        if (drawn != null) {
            drawn.add(token);
        }
        if (seen != null) {
            seen.add(token);
        }
    }

    /** Token ids, each once, in the order first added. */
    private static final class TokenSet {
        private final BitSet members = new BitSet();
        private int[] tokens = new int[16];
        private int size;

        void add(int token) {
            if (members.get(token)) {
                return;
            }
            members.set(token);
            if (size == tokens.length) {
                tokens = Arrays.copyOf(tokens, size * 2);
            }
            tokens[size++] = token;
        }
    }
}
