package dev.tangram.inference.tokenizer;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/** What the SentencePiece, byte-pair and WordPiece tokenizers share: the vocabulary, special-token splitting, decoding. */
public abstract sealed class VocabularyTokenizer implements Tokenizer permits SentencePieceTokenizer, BytePairTokenizer, WordPieceTokenizer {
    protected final Vocabulary vocab;
    protected final Map<String, Integer> index;
    private final SpecialTokenSplitter withControl;
    private final SpecialTokenSplitter userDefinedOnly;

    VocabularyTokenizer(Vocabulary vocab) {
        this.vocab = vocab;
        this.index = vocab.index();
        this.withControl = new SpecialTokenSplitter(vocab, vocab.specialTokens(true));
        this.userDefinedOnly = new SpecialTokenSplitter(vocab, vocab.specialTokens(false));
    }

    public Vocabulary vocabulary() {
        return vocab;
    }

    /** Special tokens written in the text (such as {@code <|eot_id|>}) become their ids. */
    @Override
    public int[] encode(String text, boolean addBos) {
        return encode(text, addBos, true);
    }

    /**
     * Token ids of {@code text}. With {@code parseSpecial}, control tokens written in the text become their ids; without,
     * only user-defined tokens do (as llama.cpp tokenizes).
     */
    public int[] encode(String text, boolean addBos, boolean parseSpecial) {
        IntList out = new IntList();
        if (addBos && vocab.addBos() && vocab.bos() >= 0) {
            out.add(vocab.bos());
        }
        if (text.isEmpty()) {
            return out.toArray(); // as llama.cpp: no text, no space prefix
        }
        boolean afterSpecial = true;
        for (SpecialTokenSplitter.Fragment f : (parseSpecial ? withControl : userDefinedOnly).split(text)) {
            if (f.isText()) {
                encodeText(f.text(), afterSpecial, out);
                afterSpecial = false;
            } else {
                out.add(f.token());
                afterSpecial = true;
            }
        }
        return out.toArray();
    }

    /** Appends the tokens of a text fragment that holds no special token. */
    abstract void encodeText(String text, boolean atStartOrAfterSpecial, IntList out);

    @Override
    public String decode(int[] tokens) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int t : tokens) {
            if (t == vocab.bos() || t == vocab.eos()) {
                continue;
            }
            bytes.writeBytes(tokenBytes(t));
        }
        return new String(bytes.toByteArray(), StandardCharsets.UTF_8);
    }

    @Override
    public int vocabSize() {
        return vocab.size();
    }

    @Override
    public int bos() {
        return vocab.bos();
    }

    @Override
    public int eos() {
        return vocab.eos();
    }

    @Override
    public boolean isText(int token) {
        int type = vocab.types()[token];
        return type == Vocabulary.NORMAL || type == Vocabulary.BYTE || type == Vocabulary.USER_DEFINED;
    }

    @Override
    public boolean isEndOfGeneration(int token) {
        return vocab.endOfGeneration().contains(token);
    }

    protected void checkToken(int token) {
        if (token < 0 || token >= vocab.size()) {
            throw new IllegalArgumentException("token " + token + " is outside the vocabulary of " + vocab.size());
        }
    }

    /** A growable int array. */
    static final class IntList {
        private int[] a = new int[16];
        private int n;

        void add(int v) {
            if (n == a.length) {
                a = java.util.Arrays.copyOf(a, n * 2);
            }
            a[n++] = v;
        }

        int[] toArray() {
            return java.util.Arrays.copyOf(a, n);
        }
    }
}
