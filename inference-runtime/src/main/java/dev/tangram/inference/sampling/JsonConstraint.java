package dev.tangram.inference.sampling;

import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * Lets only tokens through that keep the output the start of the JSON the request asked for ({@code response_format}:
 * any object, or a schema's document), and the end-of-generation tokens only once the document is whole, after which
 * nothing else may come. Each token's bytes are run through a copy of the {@link TextCursor}; tokens already masked are
 * not tried, and inside a free string the tokens that keep it plain (most of a vocabulary) are let through without
 * running them. Not thread-safe: one per request.
 */
final class JsonConstraint {
    private final byte[][] tokenText;
    private final boolean[] end;
    private final TextCursor cursor;
    private final TextCursor trial;
    /** Per token: whether its text keeps a string plain ({@link JsonText#keepsStringPlain}); shared per vocabulary. */
    private final boolean[] plain;
    private static final Map<byte[][], boolean[]> PLAIN = Collections.synchronizedMap(new WeakHashMap<>());

    /**
     * @param tokenText each token's text as bytes, empty for a token that is not text (a control token)
     * @param endTokens the tokens that end generation
     */
    JsonConstraint(JsonFormat format, byte[][] tokenText, int[] endTokens) {
        this.cursor = format.cursor();
        this.trial = format.cursor();
        this.tokenText = tokenText;
        this.plain = PLAIN.computeIfAbsent(tokenText, JsonConstraint::plainTokens);
        this.end = new boolean[tokenText.length];
        for (int t : endTokens) {
            if (t >= 0 && t < end.length) {
                end[t] = true;
            }
        }
    }

    private static boolean[] plainTokens(byte[][] tokenText) {
        boolean[] out = new boolean[tokenText.length];
        for (int t = 0; t < out.length; t++) {
            out[t] = JsonText.keepsStringPlain(tokenText[t]);
        }
        return out;
    }

    /** Whether the document is whole (so only an end token may follow). */
    boolean complete() {
        return cursor.complete();
    }

    /**
     * Sets the logit of every token that cannot come next to minus infinity. Where no token can (a vocabulary without a
     * byte the document needs next), the end tokens are let through instead: the answer stops, unfinished, rather than
     * going on with a token the format does not allow.
     */
    void mask(float[] logits) {
        boolean done = cursor.complete();
        boolean inPlainString = !done && cursor.inPlainString();
        int n = Math.min(logits.length, tokenText.length);
        boolean any = false;
        for (int t = 0; t < n; t++) {
            if (logits[t] == Float.NEGATIVE_INFINITY) {
                continue;
            }
            boolean allowed = end[t] ? done : !done && (inPlainString && plain[t] || continues(tokenText[t]));
            if (allowed) {
                any = true;
            } else {
                logits[t] = Float.NEGATIVE_INFINITY;
            }
        }
        for (int t = n; t < logits.length; t++) {
            logits[t] = Float.NEGATIVE_INFINITY;
        }
        if (!any) {
            for (int t = 0; t < n; t++) {
                if (end[t]) {
                    logits[t] = 0f;
                }
            }
        }
    }

    private boolean continues(byte[] text) {
        if (text.length == 0) {
            return false;
        }
        trial.copyFrom(cursor);
        for (byte b : text) {
            if (!trial.feed(b)) {
                return false;
            }
        }
        return true;
    }

    /** Moves past the token drawn. */
    void advance(int token) {
        if (token < 0 || token >= tokenText.length || end[token] || !continues(tokenText[token])) {
            return; // an end token, or one drawn although masked (every token was): the cursor stays
        }
        cursor.copyFrom(trial);
    }
}
