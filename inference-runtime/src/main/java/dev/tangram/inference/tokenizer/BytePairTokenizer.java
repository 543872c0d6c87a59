package dev.tangram.inference.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * BPE over merges ({@code tokenizer.ggml.model = gpt2}, and {@code gemma4}): the text is split into words by the
 * pre-tokenizer's regular expressions, each word's UTF-8 bytes are mapped to printable characters (GPT-2's
 * byte-to-unicode table; SentencePiece-style vocabularies such as Gemma 4's keep the text and write spaces as {@code ▁}),
 * and the adjacent pair of lowest merge rank is merged until no ranked pair is left (ties: leftmost first). A piece that
 * is no token falls back to its single bytes.
 */
public final class BytePairTokenizer extends VocabularyTokenizer {
    private static final char SPACE_MARK = '\u2581';
    private static final char[] BYTE_TO_CHAR = new char[256];
    private static final int[] CHAR_TO_BYTE = new int[512];

    static {
        java.util.Arrays.fill(CHAR_TO_BYTE, -1);
        int extra = 0;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174);
            char c = printable ? (char) b : (char) (256 + extra++);
            BYTE_TO_CHAR[b] = c;
            CHAR_TO_BYTE[c] = b;
        }
    }

    private final PreTokenizer preTokenizer;
    private final boolean ignoreMerges;
    private final Map<String, Integer> ranks;

    /**
     * @param merges       {@code tokenizer.ggml.merges}: "left right" in byte-mapped characters, by rank
     * @param preTokenizer how text is cut into words before merging
     */
    public BytePairTokenizer(Vocabulary vocab, String[] merges, PreTokenizer preTokenizer) {
        super(vocab);
        this.preTokenizer = preTokenizer;
        this.ignoreMerges = preTokenizer.ignoreMerges();
        this.ranks = new HashMap<>(merges.length * 2);
        for (int i = 0; i < merges.length; i++) {
            int sp = merges[i].indexOf(' ', 1);
            if (sp < 0) {
                throw new IllegalArgumentException("merge " + i + " '" + merges[i] + "' is not two pieces separated by a space");
            }
            ranks.putIfAbsent(merges[i], i);
        }
    }

    /** The byte-level text of {@code bytes}: each byte as GPT-2's printable stand-in character. */
    public static String byteEncode(byte[] bytes) {
        char[] c = new char[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            c[i] = BYTE_TO_CHAR[bytes[i] & 0xFF];
        }
        return new String(c);
    }

    private record Bigram(int left, int right, int rank, String text) {}

    @Override
    void encodeText(String text, boolean atStartOrAfterSpecial, IntList out) {
        String escaped = preTokenizer.byteLevel() ? text : text.replace(' ', SPACE_MARK);
        for (String word : preTokenizer.split(escaped)) {
            encodeWord(word, out);
        }
    }

    private void encodeWord(String raw, IntList out) {
        String word = preTokenizer.byteLevel() ? byteEncode(raw.getBytes(StandardCharsets.UTF_8)) : raw;
        if (ignoreMerges || (preTokenizer.newlineRunsWhole() && isNewlines(word))) {
            Integer whole = index.get(word);
            if (whole != null) {
                out.add(whole);
                return;
            }
        }
        // symbols start as code points (byte-mapped characters are all single UTF-16 units)
        int n = word.codePointCount(0, word.length());
        int[] start = new int[n];
        int[] len = new int[n];
        int[] prev = new int[n];
        int[] next = new int[n];
        for (int i = 0, off = 0; i < n; i++) {
            start[i] = off;
            len[i] = Character.charCount(word.codePointAt(off));
            off += len[i];
            prev[i] = i - 1;
            next[i] = i + 1 < n ? i + 1 : -1;
        }
        PriorityQueue<Bigram> queue = new PriorityQueue<>((a, b) -> a.rank != b.rank ? Integer.compare(a.rank, b.rank)
                : Integer.compare(a.left, b.left));
        for (int i = 1; i < n; i++) {
            tryBigram(word, start, len, i - 1, i, queue);
        }
        while (!queue.isEmpty()) {
            Bigram bg = queue.poll();
            if (len[bg.left] == 0 || len[bg.right] == 0 || len[bg.left] + len[bg.right] != bg.text.length()
                    || !word.startsWith(bg.text, start[bg.left])) {
                continue; // outdated: one side was merged since
            }
            len[bg.left] += len[bg.right];
            len[bg.right] = 0;
            next[bg.left] = next[bg.right];
            if (next[bg.right] >= 0) {
                prev[next[bg.right]] = bg.left;
            }
            tryBigram(word, start, len, prev[bg.left], bg.left, queue);
            tryBigram(word, start, len, bg.left, next[bg.left], queue);
        }
        for (int i = 0; i != -1 && n > 0; i = next[i]) {
            String piece = word.substring(start[i], start[i] + len[i]);
            Integer id = index.get(piece);
            if (id != null) {
                out.add(id);
            } else if (preTokenizer.byteLevel()) {
                for (char c : piece.toCharArray()) {
                    // llama.cpp looks each UTF-8 byte of the piece up alone: only ASCII stand-ins can be tokens
                    Integer single = c < 0x80 ? index.get(String.valueOf(c)) : null;
                    if (single != null) {
                        out.add(single);
                    }
                }
            } else {
                for (byte b : piece.getBytes(StandardCharsets.UTF_8)) {
                    Integer single = index.get(String.format("<0x%02X>", b & 0xFF));
                    if (single != null) {
                        out.add(single);
                    }
                }
            }
        }
    }

    private static boolean isNewlines(String word) {
        return word.chars().allMatch(c -> c == '\n');
    }

    private void tryBigram(String word, int[] start, int[] len, int left, int right, PriorityQueue<Bigram> queue) {
        if (left < 0 || right < 0) {
            return;
        }
        String l = word.substring(start[left], start[left] + len[left]);
        String r = word.substring(start[right], start[right] + len[right]);
        Integer rank = ranks.get(l + " " + r);
        if (rank != null) {
            queue.add(new Bigram(left, right, rank, l + r));
        }
    }

    @Override
    public byte[] tokenBytes(int token) {
        checkToken(token);
        String text = vocab.tokens()[token];
        int type = vocab.types()[token];
        if (type != Vocabulary.NORMAL && type != Vocabulary.BYTE) {
            return text.getBytes(StandardCharsets.UTF_8);
        }
        if (!preTokenizer.byteLevel()) {
            if (type == Vocabulary.BYTE && text.length() == 6 && text.startsWith("<0x")) {
                return new byte[] {(byte) Integer.parseInt(text.substring(3, 5), 16)};
            }
            return text.replace(SPACE_MARK, ' ').getBytes(StandardCharsets.UTF_8);
        }
        byte[] b = new byte[text.length()];
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            int v = c < CHAR_TO_BYTE.length ? CHAR_TO_BYTE[c] : -1;
            if (v < 0) {
                return text.getBytes(StandardCharsets.UTF_8); // not a byte-level token: its text as it is
            }
            b[i] = (byte) v;
        }
        return b;
    }
}
