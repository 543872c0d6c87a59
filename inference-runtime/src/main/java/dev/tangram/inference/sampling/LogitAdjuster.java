package dev.tangram.inference.sampling;

import java.util.Arrays;
import java.util.BitSet;
import java.util.Map;

/**
 * Applies one request's {@link LogitRules} to its logits, remembering the tokens it has drawn (the penalties need them).
 * The model's logits are left as they are: the rules write into a copy, so that log-probabilities can still be read from
 * the model's own distribution, as vLLM reports them by default. Not thread-safe: one per request.
 */
final class LogitAdjuster {
    private final LogitRules rules;
    private final int[] prompt;
    private final int[] endTokens;
    /** The JSON constraint, where the rules ask for one. */
    private final JsonConstraint json;
    private float[] adjusted = new float[0];
    /** Every token drawn, in order. */
    private int[] history = new int[16];
    private int draws;
    /** The distinct tokens drawn, in the order first drawn, and which they are. */
    private int[] distinct = new int[16];
    private int distinctCount;
    private final BitSet drawnSet = new BitSet();
    /** The repetition penalty's set (the prompt's tokens and those drawn), each once; built at its first use. */
    private int[] seenList;
    private int seenCount;
    private final BitSet seen = new BitSet();

    /**
     * @param prompt    the prompt's tokens (the repetition penalty applies to them too)
     * @param endTokens the tokens that end generation, masked until {@code rules.minTokens()} tokens are drawn
     * @param tokenText each token's text as bytes, empty for a control token (the JSON constraint reads it)
     */
    LogitAdjuster(LogitRules rules, int[] prompt, int[] endTokens, byte[][] tokenText) {
        this.rules = rules;
        this.prompt = prompt;
        this.endTokens = endTokens;
        this.json = rules.json() == null ? null : new JsonConstraint(rules.json(), tokenText, endTokens);
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
        }
        for (Map.Entry<Integer, Float> e : rules.logitBias().entrySet()) {
            if (e.getKey() < n) {
                adjusted[e.getKey()] += e.getValue();
            }
        }
        if (rules.repetitionPenalty() != 1f) {
            seenSoFar(n);
            float p = rules.repetitionPenalty();
            for (int i = 0; i < seenCount; i++) {
                int t = seenList[i];
                adjusted[t] = adjusted[t] > 0 ? adjusted[t] / p : adjusted[t] * p;
            }
        }
        if (rules.penalizesOutput()) {
            for (int i = 0; i < distinctCount; i++) {
                adjusted[distinct[i]] -= rules.presencePenalty();
            }
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
        if (draws == history.length) {
            history = Arrays.copyOf(history, draws * 2);
        }
        history[draws++] = token;
        if (!drawnSet.get(token)) {
            drawnSet.set(token);
            if (distinctCount == distinct.length) {
                distinct = Arrays.copyOf(distinct, distinctCount * 2);
            }
            distinct[distinctCount++] = token;
            if (seenList != null) {
                see(token);
            }
        }
    }

    /** Builds the repetition penalty's set at its first use: the prompt's tokens and those drawn so far. */
    private void seenSoFar(int vocabulary) {
        if (seenList != null) {
            return;
        }
        seenList = new int[16];
        for (int t : prompt) {
            if (t >= 0 && t < vocabulary) {
                see(t);
            }
        }
        for (int i = 0; i < distinctCount; i++) {
            see(distinct[i]);
        }
    }

    private void see(int token) {
        if (seen.get(token)) {
            return;
        }
        seen.set(token);
        if (seenCount == seenList.length) {
            seenList = Arrays.copyOf(seenList, seenCount * 2);
        }
        seenList[seenCount++] = token;
    }
}
