package dev.tangram.inference.tokenizer;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Learns a byte-level BPE vocabulary, deterministically: the 256 byte tokens, then merges learned from a corpus (the
 * most frequent adjacent pair first, ties by the pair's text), then, when the corpus has no pair left that occurs
 * twice, merges that append a letter to existing tokens in id order, until the requested size is reached.
 */
public final class ByteLevelBpeTrainer {
    /** Longest token text the filling step makes. */
    private static final int MAX_FILL_LENGTH = 16;

    private ByteLevelBpeTrainer() {}

    /**
     * The trained vocabulary.
     *
     * @param tokens token texts (byte-mapped characters): 256 byte tokens first, then one per merge
     * @param merges merges in rank order, "left right"
     */
    public record Trained(List<String> tokens, List<String> merges) {}

    /** The corpus shipped with Tangram for generated models. */
    public static String builtInCorpus() {
        try (InputStream in = ByteLevelBpeTrainer.class.getResourceAsStream("bpe-corpus.txt")) {
            if (in == null) {
                throw new IllegalStateException("bpe-corpus.txt is missing from the classpath");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A vocabulary of exactly {@code size} tokens (at least 256) learned from {@code corpus}. */
    public static Trained train(String corpus, int size) {
        if (size < 256) {
            throw new IllegalArgumentException("a byte-level vocabulary needs at least 256 tokens, asked for " + size);
        }
        List<String> tokens = new ArrayList<>(size);
        for (int b = 0; b < 256; b++) {
            tokens.add(BytePairTokenizer.byteEncode(new byte[] {(byte) b}));
        }
        Set<String> known = new HashSet<>(tokens);
        List<String> merges = new ArrayList<>();

        Map<String, Integer> wordCounts = new LinkedHashMap<>();
        Matcher m = Pattern.compile(PreTokenizer.LLAMA3_PATTERN, Pattern.UNICODE_CHARACTER_CLASS).matcher(corpus);
        while (m.find()) {
            wordCounts.merge(BytePairTokenizer.byteEncode(m.group().getBytes(StandardCharsets.UTF_8)), 1, Integer::sum);
        }
        List<List<String>> words = new ArrayList<>();
        List<Integer> counts = new ArrayList<>();
        for (Map.Entry<String, Integer> e : wordCounts.entrySet()) {
            List<String> symbols = new ArrayList<>();
            for (char c : e.getKey().toCharArray()) {
                symbols.add(String.valueOf(c));
            }
            words.add(symbols);
            counts.add(e.getValue());
        }

        while (tokens.size() < size) {
            Map<String, Integer> pairs = new HashMap<>();
            for (int w = 0; w < words.size(); w++) {
                List<String> s = words.get(w);
                for (int i = 0; i + 1 < s.size(); i++) {
                    pairs.merge(s.get(i) + " " + s.get(i + 1), counts.get(w), Integer::sum);
                }
            }
            String best = null;
            int bestCount = 0;
            for (Map.Entry<String, Integer> e : pairs.entrySet()) {
                int c = e.getValue();
                if (c >= 2 && (best == null || c > bestCount || (c == bestCount && e.getKey().compareTo(best) < 0))) {
                    best = e.getKey();
                    bestCount = c;
                }
            }
            if (best == null) {
                break;
            }
            int sp = best.indexOf(' ', 1);
            String left = best.substring(0, sp);
            String right = best.substring(sp + 1);
            String merged = left + right;
            merges.add(best);
            if (known.add(merged)) {
                tokens.add(merged);
            }
            for (List<String> s : words) {
                for (int i = 0; i + 1 < s.size(); i++) {
                    if (s.get(i).equals(left) && s.get(i + 1).equals(right)) {
                        s.set(i, merged);
                        s.remove(i + 1);
                    }
                }
            }
        }
        fill(tokens, known, merges, size);
        return new Trained(List.copyOf(tokens), List.copyOf(merges));
    }

    private static void fill(List<String> tokens, Set<String> known, List<String> merges, int size) {
        String letters = "etaoinshrdlcumwfgypbvkjxqz";
        for (int i = 256; tokens.size() < size; i++) {
            if (i >= tokens.size()) {
                // no learned token to extend yet: start from the letters themselves
                for (char c : letters.toCharArray()) {
                    if (tokens.size() >= size) {
                        return;
                    }
                    addMerge(tokens, known, merges, String.valueOf(c), String.valueOf(letters.charAt(0)));
                }
                if (i >= tokens.size()) {
                    throw new IllegalStateException("cannot grow the vocabulary");
                }
            }
            String base = tokens.get(i);
            if (base.length() >= MAX_FILL_LENGTH) {
                continue;
            }
            for (int l = 0; l < letters.length() && tokens.size() < size; l++) {
                addMerge(tokens, known, merges, base, String.valueOf(letters.charAt(l)));
            }
        }
    }

    private static void addMerge(List<String> tokens, Set<String> known, List<String> merges, String left, String right) {
        String merged = left + right;
        if (known.add(merged)) {
            tokens.add(merged);
            merges.add(left + " " + right);
        }
    }
}
