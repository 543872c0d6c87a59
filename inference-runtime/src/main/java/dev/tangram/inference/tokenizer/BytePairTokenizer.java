package dev.tangram.inference.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Byte-level BPE ({@code tokenizer.ggml.model = gpt2}): the text is split into words by the pre-tokenizer's regular
 * expression, each word's UTF-8 bytes are mapped to printable characters (GPT-2's byte-to-unicode table), and the
 * adjacent pair of lowest merge rank is merged until no ranked pair is left (ties: leftmost first).
 */
public final class BytePairTokenizer extends VocabularyTokenizer {
    /** GPT-2's pre-tokenizer. */
    public static final String GPT2_PATTERN = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";
    /** Llama 3's pre-tokenizer ({@code tokenizer.ggml.pre = llama-bpe}). */
    public static final String LLAMA3_PATTERN = "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+"
            + "|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    /** Qwen 2's pre-tokenizer: Llama 3's with single digits. */
    public static final String QWEN2_PATTERN = "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+"
            + "|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

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

    private final Pattern pattern;
    private final boolean ignoreMerges;
    private final Map<String, Integer> ranks;

    /**
     * @param merges       {@code tokenizer.ggml.merges}: "left right" in byte-mapped characters, by rank
     * @param pattern      the pre-tokenizer regular expression
     * @param ignoreMerges whether a word that is a token is taken whole before merging (Llama 3 does this)
     */
    public BytePairTokenizer(Vocabulary vocab, String[] merges, String pattern, boolean ignoreMerges) {
        super(vocab);
        this.pattern = Pattern.compile(pattern, Pattern.UNICODE_CHARACTER_CLASS);
        this.ignoreMerges = ignoreMerges;
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
        Matcher m = pattern.matcher(text);
        int last = 0;
        while (m.find()) {
            if (m.start() > last) {
                encodeWord(text.substring(last, m.start()), out);
            }
            if (m.end() > m.start()) {
                encodeWord(m.group(), out);
            }
            last = m.end();
        }
        if (last < text.length()) {
            encodeWord(text.substring(last), out);
        }
    }

    private void encodeWord(String raw, IntList out) {
        String word = byteEncode(raw.getBytes(StandardCharsets.UTF_8));
        if (ignoreMerges) {
            Integer whole = index.get(word);
            if (whole != null) {
                out.add(whole);
                return;
            }
        }
        int n = word.length(); // byte-mapped characters are all in the BMP
        int[] len = new int[n];
        int[] prev = new int[n];
        int[] next = new int[n];
        for (int i = 0; i < n; i++) {
            len[i] = 1;
            prev[i] = i - 1;
            next[i] = i + 1 < n ? i + 1 : -1;
        }
        PriorityQueue<Bigram> queue = new PriorityQueue<>((a, b) -> a.rank != b.rank ? Integer.compare(a.rank, b.rank)
                : Integer.compare(a.left, b.left));
        for (int i = 1; i < n; i++) {
            tryBigram(word, len, i - 1, i, queue);
        }
        while (!queue.isEmpty()) {
            Bigram bg = queue.poll();
            if (len[bg.left] == 0 || len[bg.right] == 0 || len[bg.left] + len[bg.right] != bg.text.length()
                    || !(word.substring(bg.left, bg.left + len[bg.left]) + word.substring(bg.right, bg.right + len[bg.right])).equals(bg.text)) {
                continue;
            }
            len[bg.left] += len[bg.right];
            len[bg.right] = 0;
            next[bg.left] = next[bg.right];
            if (next[bg.right] >= 0) {
                prev[next[bg.right]] = bg.left;
            }
            tryBigram(word, len, prev[bg.left], bg.left, queue);
            tryBigram(word, len, bg.left, next[bg.left], queue);
        }
        for (int i = 0; i != -1; i = next[i]) {
            String piece = word.substring(i, i + len[i]);
            Integer id = index.get(piece);
            if (id != null) {
                out.add(id);
            } else {
                for (char c : piece.toCharArray()) {
                    Integer single = c < 0x80 ? index.get(String.valueOf(c)) : null;
                    if (single != null) {
                        out.add(single);
                    }
                }
            }
        }
    }

    private void tryBigram(String word, int[] len, int left, int right, PriorityQueue<Bigram> queue) {
        if (left < 0 || right < 0) {
            return;
        }
        String l = word.substring(left, left + len[left]);
        String r = word.substring(right, right + len[right]);
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
