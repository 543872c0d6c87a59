package dev.tangram.inference.tokenizer;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits raw text at occurrences of special tokens (longest first), as llama.cpp does before tokenizing: the result
 * alternates text fragments and special token ids. Whitespace right after a token the vocabulary right-strips goes with
 * it (llama.cpp's {@code RSTRIP}: C's {@code isspace}).
 */
final class SpecialTokenSplitter {
    /** A piece of input: either text to tokenize ({@code token == -1}) or one special token. */
    record Fragment(String text, int token) {
        boolean isText() {
            return token < 0;
        }
    }

    private final String[] texts;
    private final List<Integer> specials;
    private final java.util.Set<Integer> rightStripped;

    SpecialTokenSplitter(Vocabulary vocab, List<Integer> specials) {
        this.texts = vocab.tokens();
        this.specials = specials;
        this.rightStripped = vocab.rightStripped();
    }

    List<Fragment> split(String text) {
        List<Fragment> parts = new ArrayList<>();
        parts.add(new Fragment(text, -1));
        for (int id : specials) {
            String s = texts[id];
            List<Fragment> next = new ArrayList<>(parts.size() + 2);
            for (Fragment f : parts) {
                if (!f.isText() || !f.text().contains(s)) {
                    next.add(f);
                    continue;
                }
                int from = 0;
                for (int at = f.text().indexOf(s); at >= 0; at = f.text().indexOf(s, from)) {
                    if (at > from) {
                        next.add(new Fragment(f.text().substring(from, at), -1));
                    }
                    next.add(new Fragment(s, id));
                    from = at + s.length();
                    while (rightStripped.contains(id) && from < f.text().length() && isSpace(f.text().charAt(from))) {
                        from++;
                    }
                }
                if (from < f.text().length()) {
                    next.add(new Fragment(f.text().substring(from), -1));
                }
            }
            parts = next;
        }
        return parts;
    }

    /** C's {@code isspace} in the C locale: space, tab, newline, vertical tab, form feed, carriage return. */
    private static boolean isSpace(char c) {
        return c == ' ' || (c >= '\t' && c <= '\r');
    }
}
