package dev.tangram.inference.http;

import dev.tangram.inference.tokenizer.Tokenizer;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;

/**
 * Turns a stream of tokens into a stream of text: keeps the bytes of a UTF-8 character split across tokens until it is
 * whole, and watches for stop sequences and stop tokens, holding back text that could be the start of a stop sequence.
 * As in vLLM, a stop sequence counts only once {@code min_tokens} tokens have been added (the sampler does not draw a stop
 * token before then), a stop token's own text is kept (unless it is a control token being skipped), and a stop sequence's is dropped unless the rules
 * keep it. Where control tokens are skipped, those of a set given (the markers a chat format's answers are read by) still
 * add their text.
 */
public final class TextAssembler {
    private final Tokenizer tokenizer;
    private final TextRules rules;
    private final int holdBack;
    private final int minTokens;
    private final Set<Integer> kept;
    private int added;
    private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPLACE).onUnmappableCharacter(CodingErrorAction.REPLACE);
    private ByteBuffer pending = ByteBuffer.allocate(0);
    private final StringBuilder text = new StringBuilder();
    private int emitted;
    /** What stopped the text: a stop string, or a stop token (-1 for none); neither while it goes on. */
    private String stopString;
    private int stopToken = -1;

    public TextAssembler(Tokenizer tokenizer, TextRules rules) {
        this(tokenizer, rules, 0);
    }

    public TextAssembler(Tokenizer tokenizer, TextRules rules, int minTokens) {
        this(tokenizer, rules, minTokens, Set.of());
    }

    /** @param kept control tokens whose text is kept even where the rules skip special tokens */
    public TextAssembler(Tokenizer tokenizer, TextRules rules, int minTokens, Set<Integer> kept) {
        this.kept = Set.copyOf(kept);
        this.tokenizer = tokenizer;
        this.rules = rules;
        this.holdBack = rules.stops().stream().mapToInt(String::length).max().orElse(1) - 1;
        this.minTokens = minTokens;
    }

    /**
     * Adds a token; answers the text now safe to send (may be empty). An end-of-generation token (which reaches here only
     * when the request set {@code ignore_eos}) adds no text, as vLLM leaves special tokens out of the text by default;
     * other control tokens add none where the rules skip them.
     */
    public String add(int token) {
        added++;
        if (stopped() || tokenizer.isEndOfGeneration(token)) {
            return "";
        }
        boolean endsHere = added >= minTokens && rules.stopTokenIds().contains(token);
        byte[] bytes = rules.skipSpecialTokens() && !tokenizer.isText(token) && !kept.contains(token) ? new byte[0] : tokenizer.tokenBytes(token);
        ByteBuffer in = ByteBuffer.allocate(pending.remaining() + bytes.length);
        in.put(pending).put(bytes).flip();
        CharBuffer out = CharBuffer.allocate(in.remaining() + 1);
        decoder.decode(in, out, false);
        pending = in.slice();
        out.flip();
        int searchFrom = Math.max(0, text.length() - holdBack);
        text.append(out);
        if (endsHere) {
            stopToken = token;
        }
        for (String stop : added < minTokens || endsHere ? List.<String>of() : rules.stops()) {
            int at = text.indexOf(stop, searchFrom);
            if (at >= 0) {
                text.setLength(rules.includeStopStrings() ? at + stop.length() : at);
                stopString = stop;
            }
        }
        int safe = stopped() ? text.length() : Math.max(emitted, text.length() - holdBack);
        String chunk = text.substring(emitted, safe);
        emitted = safe;
        return chunk;
    }

    /** Whether a stop sequence or stop token has ended the text (generation should end with reason "stop"). */
    public boolean stopped() {
        return stopString != null || stopToken >= 0;
    }

    /** The text still held back, at the end of generation. */
    public String flush() {
        if (!stopped() && pending.hasRemaining()) {
            text.append(StandardCharsets.UTF_8.decode(pending));
            pending = ByteBuffer.allocate(0);
        }
        String rest = text.substring(emitted);
        emitted = text.length();
        return rest;
    }

    /** The stop string that ended the text, or null. */
    public String stopString() {
        return stopString;
    }

    /** The stop token that ended the text, or -1. */
    public int stopToken() {
        return stopToken;
    }

    /** Characters of text so far, sent or held back: where the next token's text starts. */
    public int length() {
        return text.length();
    }

    /** All text so far (a stop sequence excluded unless the rules keep it). */
    public String text() {
        return text.toString();
    }
}
