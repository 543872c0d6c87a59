package dev.tangram.inference.tokenizer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The token table of a GGUF vocabulary ({@code tokenizer.ggml.tokens}, {@code .scores}, {@code .token_type}) and its
 * special ids.
 *
 * @param tokens  token texts, by id
 * @param scores  SentencePiece scores by id (zeros where the file has none)
 * @param types   GGUF token types by id: 1 normal, 2 unknown, 3 control, 4 user-defined, 5 unused, 6 byte
 * @param bos     BOS id or -1
 * @param eos     EOS id or -1
 * @param unk     unknown-token id or -1
 * @param endOfGeneration ids that end generation (EOS, end-of-turn, ...)
 * @param addBos  whether text is tokenized with BOS first where special tokens are wanted (llama.cpp's {@code add_bos}:
 *                {@code tokenizer.ggml.add_bos_token}, or the tokenizer's default where the file does not say)
 * @param rightStripped special tokens that take the whitespace after them in raw text with them (llama.cpp's
 *                {@code RSTRIP} attribute: Phi-3's)
 */
public record Vocabulary(String[] tokens, float[] scores, int[] types, int bos, int eos, int unk, Set<Integer> endOfGeneration,
                         boolean addBos, Set<Integer> rightStripped) {
    public static final int NORMAL = 1;
    public static final int UNKNOWN = 2;
    public static final int CONTROL = 3;
    public static final int USER_DEFINED = 4;
    public static final int UNUSED = 5;
    public static final int BYTE = 6;

    public Vocabulary {
        if (scores.length != tokens.length || types.length != tokens.length) {
            throw new IllegalArgumentException("tokens, scores and token types differ in length: " + tokens.length + ", " + scores.length
                    + ", " + types.length);
        }
        for (int id : new int[] {bos, eos, unk}) {
            if (id >= tokens.length) {
                throw new IllegalArgumentException("special token id " + id + " is outside the vocabulary of " + tokens.length);
            }
        }
    }

    /** A vocabulary whose special tokens leave the whitespace after them. */
    public Vocabulary(String[] tokens, float[] scores, int[] types, int bos, int eos, int unk, Set<Integer> endOfGeneration, boolean addBos) {
        this(tokens, scores, types, bos, eos, unk, endOfGeneration, addBos, Set.of());
    }

    /** A vocabulary that puts BOS first. */
    public Vocabulary(String[] tokens, float[] scores, int[] types, int bos, int eos, int unk, Set<Integer> endOfGeneration) {
        this(tokens, scores, types, bos, eos, unk, endOfGeneration, true);
    }

    public int size() {
        return tokens.length;
    }

    /** Text to id; where a text appears twice, the lower id wins. */
    public Map<String, Integer> index() {
        Map<String, Integer> m = new HashMap<>(tokens.length * 2);
        for (int i = tokens.length - 1; i >= 0; i--) {
            m.put(tokens[i], i);
        }
        return m;
    }

    /** Whether a token of GGUF type {@code type} is llama.cpp's control kind (control or unknown), matched only with special tokens parsed. */
    static boolean isControl(int type) {
        return type == CONTROL || type == UNKNOWN;
    }

    /** Tokens matched in raw text before tokenizing (control, user-defined, unknown), longest text first. */
    public List<Integer> specialTokens(boolean includeControl) {
        List<Integer> ids = new ArrayList<>();
        for (int i = 0; i < tokens.length; i++) {
            if ((types[i] == USER_DEFINED || (includeControl && isControl(types[i]))) && !tokens[i].isEmpty()) {
                ids.add(i);
            }
        }
        ids.sort(Comparator.comparingInt((Integer i) -> -tokens[i].length()).thenComparingInt(i -> i));
        return ids;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Vocabulary v && Arrays.equals(tokens, v.tokens) && Arrays.equals(scores, v.scores) && Arrays.equals(types, v.types)
                && bos == v.bos && eos == v.eos && unk == v.unk && endOfGeneration.equals(v.endOfGeneration) && addBos == v.addBos
                && rightStripped.equals(v.rightStripped);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(tokens);
    }

    @Override
    public String toString() {
        return "Vocabulary[" + tokens.length + " tokens, bos=" + bos + (addBos ? "" : " (not added)") + ", eos=" + eos + "]";
    }
}
