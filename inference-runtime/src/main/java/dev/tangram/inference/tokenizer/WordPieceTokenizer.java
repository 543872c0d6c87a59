package dev.tangram.inference.tokenizer;

import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;

/**
 * BERT's WordPiece ({@code tokenizer.ggml.model = bert}), as llama.cpp runs it: the text is normalised (lower case and
 * accents stripped unless {@code tokenizer.ggml.normalizer.*} says otherwise; control characters dropped), cut at
 * whitespace, and every punctuation character, ASCII symbol and CJK ideograph becomes a word of its own. Each word,
 * written with a leading {@code ▁} (the GGUF form of a word start; continuation pieces carry no {@code ##}), is covered
 * greedily by the longest tokens from the left; a word that cannot be covered becomes the unknown token.
 */
public final class WordPieceTokenizer extends VocabularyTokenizer {
    private static final char SPACE_MARK = '\u2581';

    private final boolean lowercase;
    private final boolean stripAccents;
    private final int maxTokenLength;

    public WordPieceTokenizer(Vocabulary vocab, boolean lowercase, boolean stripAccents) {
        super(vocab);
        if (vocab.unk() < 0) {
            throw new IllegalArgumentException("a WordPiece vocabulary needs an unknown token (tokenizer.ggml.unknown_token_id)");
        }
        this.lowercase = lowercase;
        this.stripAccents = stripAccents;
        int max = 0;
        for (String t : vocab.tokens()) {
            max = Math.max(max, t.length());
        }
        this.maxTokenLength = max;
    }

    @Override
    void encodeText(String text, boolean atStartOrAfterSpecial, IntList out) {
        for (String word : words(text)) {
            String w = SPACE_MARK + word;
            IntList pieces = new IntList();
            boolean covered = true;
            for (int i = 0; i < w.length() && covered; ) {
                covered = false;
                for (int j = Math.min(w.length(), i + maxTokenLength); j > i; j--) {
                    Integer id = index.get(w.substring(i, j));
                    if (id != null) {
                        pieces.add(id);
                        i = j;
                        covered = true;
                        break;
                    }
                }
            }
            int[] ids = pieces.toArray();
            if (covered && ids.length > 0) {
                for (int id : ids) {
                    out.add(id);
                }
            } else {
                out.add(vocab.unk());
            }
        }
    }

    /** The normalised words of {@code text}. */
    List<String> words(String text) {
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        for (int off = 0; off < text.length(); ) {
            int original = text.codePointAt(off);
            off += Character.charCount(original);
            int cp = stripAccents ? decomposedBase(original) : original;
            if (isWhitespace(cp)) {
                finish(word, words);
                continue;
            }
            int type = Character.getType(cp);
            if (cp == 0 || cp == 0xFFFD || type == Character.CONTROL || type == Character.FORMAT || type == Character.PRIVATE_USE
                    || type == Character.SURROGATE) {
                continue;
            }
            if (stripAccents && (type == Character.NON_SPACING_MARK || type == Character.ENCLOSING_MARK
                    || type == Character.COMBINING_SPACING_MARK)) {
                continue;
            }
            int c = lowercase ? Character.toLowerCase(cp) : cp;
            if (isPunctuation(type) || (cp < 0x7F && isSymbol(type)) || isChineseCharacter(cp)) {
                finish(word, words);
                words.add(Character.toString(c));
            } else {
                word.appendCodePoint(c);
            }
        }
        finish(word, words);
        return words;
    }

    private static void finish(StringBuilder word, List<String> words) {
        if (!word.isEmpty()) {
            words.add(word.toString());
            word.setLength(0);
        }
    }

    /** The first code point of the canonical decomposition (accents go with the rest), as llama.cpp's NFD table. */
    private static int decomposedBase(int cp) {
        if (cp < 0xC0) {
            return cp;
        }
        String d = Normalizer.normalize(Character.toString(cp), Normalizer.Form.NFD);
        return d.codePointAt(0);
    }

    private static boolean isWhitespace(int cp) {
        return (cp >= 0x09 && cp <= 0x0D) || cp == 0x20 || cp == 0x85 || cp == 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A)
                || cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F || cp == 0x3000;
    }

    private static boolean isPunctuation(int type) {
        return type == Character.CONNECTOR_PUNCTUATION || type == Character.DASH_PUNCTUATION || type == Character.START_PUNCTUATION
                || type == Character.END_PUNCTUATION || type == Character.INITIAL_QUOTE_PUNCTUATION || type == Character.FINAL_QUOTE_PUNCTUATION
                || type == Character.OTHER_PUNCTUATION;
    }

    private static boolean isSymbol(int type) {
        return type == Character.MATH_SYMBOL || type == Character.CURRENCY_SYMBOL || type == Character.MODIFIER_SYMBOL
                || type == Character.OTHER_SYMBOL;
    }

    private static boolean isChineseCharacter(int cp) {
        return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0x20000 && cp <= 0x2A6DF)
                || (cp >= 0x2A700 && cp <= 0x2B73F) || (cp >= 0x2B740 && cp <= 0x2B81F) || (cp >= 0x2B920 && cp <= 0x2CEAF)
                || (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x2F800 && cp <= 0x2FA1F);
    }

    /** A word-start token's text with its {@code ▁} as a space; continuation pieces as they are. */
    @Override
    public byte[] tokenBytes(int token) {
        checkToken(token);
        String text = vocab.tokens()[token];
        if (vocab.types()[token] == Vocabulary.NORMAL) {
            text = text.replace(SPACE_MARK, ' ');
        }
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** Decodes, dropping the space in front of the first word. */
    @Override
    public String decode(int[] tokens) {
        String s = super.decode(tokens);
        return s.startsWith(" ") ? s.substring(1) : s;
    }
}
