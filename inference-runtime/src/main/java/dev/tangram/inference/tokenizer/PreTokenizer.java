package dev.tangram.inference.tokenizer;

import dev.tangram.inference.gguf.GgufFormatException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How a byte-level BPE vocabulary cuts text into words before merging ({@code tokenizer.ggml.pre}). As in llama.cpp a
 * pre-tokenizer is a list of regular expressions: the first splits the whole text, each next one splits every piece the
 * previous ones left (it cannot look past a piece's ends), and text between two matches is a piece of its own.
 * Non-ASCII whitespace is matched as a vertical tab, which is how llama.cpp feeds its regular expressions.
 *
 * @param name         the {@code tokenizer.ggml.pre} value this was made for
 * @param patterns     the regular expressions, applied in order
 * @param ignoreMerges whether a word that is itself a token is taken whole, without merging (Llama 3 does this)
 * @param byteLevel    whether words are GPT-2 byte-mapped before merging; {@code false} for SentencePiece-style BPE
 *                     (Gemma 4): the text itself, spaces written as {@code ▁}, byte fallback to {@code <0xNN>} tokens
 * @param newlineRunsWhole whether a word of newlines only that is a token is taken whole (Gemma 4)
 */
public record PreTokenizer(String name, List<Pattern> patterns, boolean ignoreMerges, boolean byteLevel, boolean newlineRunsWhole) {
    /** GPT-2's expression (the one llama.cpp implements by hand for {@code gpt-2}, {@code mpt}, ...). */
    public static final String GPT2_PATTERN = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";
    /** Llama 3's expression ({@code llama-bpe}). */
    public static final String LLAMA3_PATTERN = "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+"
            + "|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    /** Qwen 2's expression: Llama 3's with single digits. */
    public static final String QWEN2_PATTERN = "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+"
            + "|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    /** Qwen 3.5's expression: Qwen 2's with combining marks inside words. */
    public static final String QWEN35_PATTERN = "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\\r\\n\\p{L}\\p{N}]?[\\p{L}\\p{M}]+"
            + "|\\p{N}| ?[^\\s\\p{L}\\p{M}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

    /**
     * GPT-4o's expression (o200k; Phi-4-mini's, Llama 4's) as llama.cpp writes it for its own regex engine: a word's cased
     * letters taken as "not a-z" then "not A-Z" instead of by Unicode case, which is what llama.cpp's tokens follow.
     */
    public static final String GPT4O_PATTERN = "[^\\r\\n\\p{L}\\p{N}]?((?=[\\p{L}])([^a-z]))*((?=[\\p{L}])([^A-Z]))+"
            + "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])?|[^\\r\\n\\p{L}\\p{N}]?((?=[\\p{L}])([^a-z]))+"
            + "((?=[\\p{L}])([^A-Z]))*(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])?|\\p{N}{1,3}"
            + "| ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

    /**
     * Tekken's expression (Mistral NeMo, Mistral Small 3, Ministral, Devstral) as llama.cpp writes it: GPT-4o's cased
     * words without the English contractions, and single digits.
     */
    public static final String TEKKEN_PATTERN = "[^\\r\\n\\p{L}\\p{N}]?((?=[\\p{L}])([^a-z]))*((?=[\\p{L}])([^A-Z]))+"
            + "|[^\\r\\n\\p{L}\\p{N}]?((?=[\\p{L}])([^a-z]))+((?=[\\p{L}])([^A-Z]))*|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*"
            + "|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    /** Seed-Coder's expression: Llama 3's with single digits and no newlines after punctuation. */
    public static final String SEED_CODER_PATTERN = "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+"
            + "|\\p{N}{1}| ?[^\\s\\p{L}\\p{N}\\r\\n]+|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

    /** Han, the block below it from U+0800, and Hangul syllables, as DeepSeek's pre-tokenizers group them. */
    private static final String DEEPSEEK_CJK = "[\\x{4E00}-\\x{9FA5}\\x{800}-\\x{4E00}\\x{AC00}-\\x{D7FF}]+";
    /** DeepSeek LLM's letters: Latin, Greek, Cyrillic, Armenian, Georgian, Cherokee, ... (cased scripts). */
    private static final String DEEPSEEK_LLM_LETTERS = "\\s?[A-Za-z\\x{B5}\\x{C0}-\\x{D6}\\x{D8}-\\x{F6}\\x{F8}-\\x{1BA}\\x{1BC}-\\x{1BF}"
            + "\\x{1C4}-\\x{293}\\x{295}-\\x{2AF}\\x{370}-\\x{373}\\x{376}\\x{377}\\x{37B}-\\x{37D}\\x{37F}\\x{386}\\x{388}-\\x{38A}\\x{38C}"
            + "\\x{38E}-\\x{3A1}\\x{3A3}-\\x{3F5}\\x{3F7}-\\x{481}\\x{48A}-\\x{52F}\\x{531}-\\x{556}\\x{10A0}-\\x{10C5}\\x{13A0}-\\x{13F5}"
            + "\\x{13F8}-\\x{13FD}\\x{1C90}-\\x{1CBA}\\x{1CBD}-\\x{1CBF}\\x{1D00}-\\x{1D2B}\\x{1D6B}-\\x{1D77}\\x{1D79}-\\x{1D9A}"
            + "\\x{1E00}-\\x{1F15}\\x{1F18}-\\x{1F1D}\\x{1F20}-\\x{1F45}\\x{1F48}-\\x{1F4D}\\x{1F50}-\\x{1F57}\\x{1F59}\\x{1F5B}\\x{1F5D}"
            + "\\x{1F5F}-\\x{1F7D}\\x{1F80}-\\x{1FB4}\\x{1FB6}-\\x{1FBC}\\x{1FBE}\\x{1FC2}-\\x{1FC4}\\x{1FC6}-\\x{1FCC}\\x{1FD0}-\\x{1FD3}"
            + "\\x{1FD6}-\\x{1FDB}\\x{1FE0}-\\x{1FEC}\\x{1FF2}-\\x{1FF4}\\x{1FF6}-\\x{1FFC}\\x{2102}\\x{2107}\\x{210A}-\\x{2113}\\x{2115}"
            + "\\x{2119}-\\x{211D}\\x{2124}\\x{2126}\\x{2128}\\x{212A}-\\x{212D}\\x{212F}-\\x{2134}\\x{2139}\\x{213C}-\\x{213F}"
            + "\\x{2145}-\\x{2149}\\x{214E}\\x{2183}\\x{2184}\\x{2C00}-\\x{2C7B}\\x{2C7E}-\\x{2CE4}\\x{2CEB}-\\x{2CEE}\\x{2CF2}\\x{2CF3}"
            + "\\x{A640}-\\x{A66D}\\x{A680}-\\x{A69B}\\x{A722}-\\x{A76F}\\x{A771}-\\x{A787}\\x{A78B}-\\x{A78E}\\x{AB70}-\\x{ABBF}"
            + "\\x{FB00}-\\x{FB06}\\x{FB13}-\\x{FB17}\\x{FF21}-\\x{FF3A}\\x{FF41}-\\x{FF5A}\\x{10400}-\\x{1044F}\\x{104B0}-\\x{104D3}"
            + "\\x{104D8}-\\x{104FB}\\x{10C80}-\\x{10CB2}\\x{10CC0}-\\x{10CF2}\\x{118A0}-\\x{118DF}\\x{1E900}-\\x{1E943}]+";
    /** DeepSeek LLM's punctuation: ASCII and full-width punctuation, curly quotes, ideographic space and full stop. */
    private static final String DEEPSEEK_LLM_PUNCTUATION = "\\s?[!-/:-~\\x{FF01}-\\x{FF0F}\\x{FF1A}-\\x{FF5E}\\x{2018}-\\x{201F}"
            + "\\x{3000}-\\x{3002}]+";

    private record Kind(List<String> patterns, boolean ignoreMerges, boolean byteLevel) {
        Kind(List<String> patterns, boolean ignoreMerges) {
            this(patterns, ignoreMerges, true);
        }
    }

    private static final Kind LLAMA3 = new Kind(List.of(LLAMA3_PATTERN), true);
    private static final Kind SMAUG = new Kind(List.of(LLAMA3_PATTERN), false);
    private static final Kind GPT2 = new Kind(List.of(GPT2_PATTERN), false);
    private static final Kind QWEN2 = new Kind(List.of(QWEN2_PATTERN), false);
    private static final Kind QWEN35 = new Kind(List.of(QWEN35_PATTERN), false);
    private static final Kind GPT4O = new Kind(List.of(GPT4O_PATTERN), false);
    private static final Kind TEKKEN = new Kind(List.of(TEKKEN_PATTERN), true);
    private static final Kind SEED_CODER = new Kind(List.of(SEED_CODER_PATTERN), false);
    private static final Kind STARCODER = new Kind(List.of("\\p{N}", GPT2_PATTERN), false);
    private static final Kind FALCON = new Kind(List.of("[\\p{P}$+<=>^~|`]+", GPT2_PATTERN, "[0-9][0-9][0-9]"), false);
    private static final Kind DEFAULT = new Kind(List.of("[\\p{P}$+<=>^~|]+", GPT2_PATTERN, "\\p{N}+", "[0-9][0-9][0-9]"), false);
    private static final Kind DEEPSEEK_CODER = new Kind(List.of("[\\r\\n]", "\\s?\\p{L}+", "\\s?\\p{P}+", DEEPSEEK_CJK, "\\p{N}"), false);
    /** Gemma 4: merges run over whole lines of SentencePiece-style text; runs of newlines are words of their own. */
    private static final Kind GEMMA4 = new Kind(List.of("[^\\n]+|[\\n]+"), false, false);
    private static final Kind DEEPSEEK_LLM = new Kind(List.of("[\\r\\n]", DEEPSEEK_LLM_LETTERS, DEEPSEEK_LLM_PUNCTUATION, "\\s+\\z",
            DEEPSEEK_CJK, "\\p{N}+"), false);

    /** {@code tokenizer.ggml.pre} values and their pre-tokenizers, with the names llama.cpp gives them. */
    private static final Map<String, Kind> KNOWN = Map.ofEntries(
            Map.entry("default", DEFAULT),
            Map.entry("llama-bpe", LLAMA3), Map.entry("llama3", LLAMA3), Map.entry("llama-v3", LLAMA3), Map.entry("falcon3", LLAMA3),
            Map.entry("pixtral", LLAMA3),
            Map.entry("smaug-bpe", SMAUG), Map.entry("dbrx", SMAUG), Map.entry("glm4", SMAUG), Map.entry("chatglm-bpe", SMAUG),
            Map.entry("gpt-2", GPT2), Map.entry("gpt2", GPT2), Map.entry("phi-2", GPT2), Map.entry("mpt", GPT2), Map.entry("olmo", GPT2),
            Map.entry("exaone4", GPT2),
            Map.entry("tekken", TEKKEN), Map.entry("seed-coder", SEED_CODER),
            Map.entry("qwen2", QWEN2), Map.entry("deepseek-r1-qwen", QWEN2), Map.entry("stablelm2", QWEN2),
            Map.entry("qwen35", QWEN35),
            Map.entry("gpt-4o", GPT4O), Map.entry("llama4", GPT4O),
            Map.entry("starcoder", STARCODER), Map.entry("refact", STARCODER), Map.entry("command-r", STARCODER),
            Map.entry("smollm", STARCODER), Map.entry("codeshell", STARCODER), Map.entry("exaone", STARCODER),
            Map.entry("falcon", FALCON),
            Map.entry("deepseek-coder", DEEPSEEK_CODER),
            Map.entry("deepseek-llm", DEEPSEEK_LLM),
            Map.entry("gemma4", GEMMA4));

    public PreTokenizer {
        patterns = List.copyOf(patterns);
    }

    /**
     * Whether llama.cpp's byte-level BPE tokenizer with this {@code tokenizer.ggml.pre} puts BOS first where the file does
     * not say: the Llama 3 group's and Tekken's do, the others' (Qwen's, GPT-2's, ...) do not.
     */
    public static boolean addsBosByDefault(String name) {
        Kind kind = KNOWN.get(name);
        return kind == LLAMA3 || kind == TEKKEN;
    }

    /** The pre-tokenizer of a GGUF {@code tokenizer.ggml.pre} value; refused, naming the key, when Tangram does not know it. */
    public static PreTokenizer of(String name) {
        Kind kind = KNOWN.get(name);
        if (kind == null) {
            throw new GgufFormatException("GGUF metadata key 'tokenizer.ggml.pre' = '" + name + "' names a pre-tokenizer Tangram does not support"
                    + " (it supports " + String.join(", ", KNOWN.keySet().stream().sorted().toList()) + ")");
        }
        return new PreTokenizer(name, kind.patterns.stream().map(p -> Pattern.compile(p, Pattern.UNICODE_CHARACTER_CLASS)).toList(),
                kind.ignoreMerges, kind.byteLevel, kind == GEMMA4);
    }

    /** The words of {@code text}, in order; they concatenate to {@code text}. */
    public List<String> split(String text) {
        String matched = whitespaceAsVerticalTab(text);
        int[] cuts = {0, text.length()};
        int count = 2;
        for (Pattern p : patterns) {
            int[] next = new int[Math.max(16, count * 2)];
            int n = 0;
            next[n++] = 0;
            Matcher m = p.matcher(matched);
            for (int i = 0; i + 1 < count; i++) {
                int end = cuts[i + 1];
                m.region(cuts[i], end);
                while (m.find()) {
                    if (m.end() == m.start()) {
                        continue; // an empty match cuts nothing
                    }
                    if (n + 2 > next.length) {
                        next = java.util.Arrays.copyOf(next, next.length * 2);
                    }
                    if (m.start() > next[n - 1]) {
                        next[n++] = m.start();
                    }
                    next[n++] = m.end();
                }
                if (end > next[n - 1]) {
                    if (n + 1 > next.length) {
                        next = java.util.Arrays.copyOf(next, next.length * 2);
                    }
                    next[n++] = end;
                }
            }
            cuts = next;
            count = n;
        }
        List<String> words = new ArrayList<>(count);
        for (int i = 0; i + 1 < count; i++) {
            words.add(text.substring(cuts[i], cuts[i + 1]));
        }
        return words;
    }

    /** {@code text} with every non-ASCII whitespace character replaced by U+000B (all of them are single UTF-16 units). */
    private static String whitespaceAsVerticalTab(String text) {
        char[] c = null;
        for (int i = 0; i < text.length(); i++) {
            char ch = text.charAt(i);
            if (ch >= 0x80 && isUnicodeWhitespace(ch)) {
                if (c == null) {
                    c = text.toCharArray();
                }
                c[i] = '\u000B';
            }
        }
        return c == null ? text : new String(c);
    }

    private static boolean isUnicodeWhitespace(char ch) {
        return ch == 0x85 || ch == 0xA0 || ch == 0x1680 || (ch >= 0x2000 && ch <= 0x200A) || ch == 0x2028 || ch == 0x2029 || ch == 0x202F
                || ch == 0x205F || ch == 0x3000;
    }
}
