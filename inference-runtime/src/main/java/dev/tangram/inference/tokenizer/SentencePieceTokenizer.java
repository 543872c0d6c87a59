package dev.tangram.inference.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.PriorityQueue;

/**
 * SentencePiece-style tokenizer ({@code tokenizer.ggml.model = llama}): spaces become {@code ▁} (a space is put in front
 * of the text and after every special token when {@code add_space_prefix}), the text starts as single characters, and
 * the adjacent pair whose merge is a token of highest score is merged until none is left (ties: leftmost first).
 * Pieces that are not tokens fall back to byte tokens {@code <0xNN>}.
 */
public final class SentencePieceTokenizer extends VocabularyTokenizer {
    private static final char SPACE_MARK = '\u2581';

    private final boolean addSpacePrefix;
    private final int[] byteTokens = new int[256];

    public SentencePieceTokenizer(Vocabulary vocab, boolean addSpacePrefix) {
        super(vocab);
        this.addSpacePrefix = addSpacePrefix;
        for (int b = 0; b < 256; b++) {
            Integer id = index.get(String.format("<0x%02X>", b));
            byteTokens[b] = id != null ? id : vocab.unk();
        }
    }

    private record Bigram(int left, int right, float score, int length) {}

    @Override
    void encodeText(String fragment, boolean atStartOrAfterSpecial, IntList out) {
        String text = ((addSpacePrefix && atStartOrAfterSpecial) ? " " + fragment : fragment).replace(' ', SPACE_MARK);
        if (text.isEmpty()) {
            return;
        }
        int n = text.codePointCount(0, text.length());
        int[] start = new int[n];
        int[] len = new int[n];
        int[] prev = new int[n];
        int[] next = new int[n];
        for (int i = 0, off = 0; i < n; i++) {
            start[i] = off;
            len[i] = Character.charCount(text.codePointAt(off));
            off += len[i];
            prev[i] = i - 1;
            next[i] = i + 1 < n ? i + 1 : -1;
        }
        PriorityQueue<Bigram> queue = new PriorityQueue<>((a, b) -> a.score != b.score ? Float.compare(b.score, a.score)
                : Integer.compare(a.left, b.left));
        for (int i = 1; i < n; i++) {
            tryBigram(text, start, len, i - 1, i, queue);
        }
        while (!queue.isEmpty()) {
            Bigram bg = queue.poll();
            if (len[bg.left] == 0 || len[bg.right] == 0 || len[bg.left] + len[bg.right] != bg.length) {
                continue;
            }
            len[bg.left] += len[bg.right];
            len[bg.right] = 0;
            next[bg.left] = next[bg.right];
            if (next[bg.right] >= 0) {
                prev[next[bg.right]] = bg.left;
            }
            tryBigram(text, start, len, prev[bg.left], bg.left, queue);
            tryBigram(text, start, len, bg.left, next[bg.left], queue);
        }
        for (int i = 0; i != -1; i = next[i]) {
            String piece = text.substring(start[i], start[i] + len[i]);
            Integer id = index.get(piece);
            if (id != null) {
                out.add(id);
            } else {
                for (byte b : piece.getBytes(StandardCharsets.UTF_8)) {
                    out.add(byteTokens[b & 0xFF]);
                }
            }
        }
    }

    private void tryBigram(String text, int[] start, int[] len, int left, int right, PriorityQueue<Bigram> queue) {
        if (left < 0 || right < 0) {
            return;
        }
        int length = len[left] + len[right];
        Integer id = index.get(text.substring(start[left], start[left] + length));
        if (id != null) {
            queue.add(new Bigram(left, right, vocab.scores()[id], length));
        }
    }

    @Override
    public byte[] tokenBytes(int token) {
        checkToken(token);
        String text = vocab.tokens()[token];
        if (vocab.types()[token] == Vocabulary.BYTE && text.length() == 6 && text.startsWith("<0x")) {
            return new byte[] {(byte) Integer.parseInt(text.substring(3, 5), 16)};
        }
        if (vocab.types()[token] == Vocabulary.NORMAL || vocab.types()[token] == Vocabulary.USER_DEFINED) {
            text = text.replace(SPACE_MARK, ' ');
        }
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** Decodes, dropping the space that {@code add_space_prefix} put in front of the text. */
    @Override
    public String decode(int[] tokens) {
        String s = super.decode(tokens);
        return addSpacePrefix && s.startsWith(" ") ? s.substring(1) : s;
    }
}
