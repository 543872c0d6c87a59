package dev.tangram.inference.tokenizer;

import dev.tangram.inference.gguf.GgufValue;
import dev.tangram.inference.gguf.GgufWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** Vocabulary-only GGUF files for tokenizer tests. */
public final class TokenizerConformanceFixtures {
    /** Texts that exercise the pre-tokenizers, merges, byte fallback and special tokens. */
    public static final List<String> TEXTS = List.of("Hello world", " the quick brown fox", "It's 2048 tokens, isn't it?",
            "café naïve über", "日本語のテキスト", "emoji 🦙🚀 end", "tabs\tand\nnew\n\nlines  and   spaces ", "", " ", "  ", "x",
            "a<|eot_id|>b", "<|begin_of_text|>Hi<|end_of_text|>", "Numbers 1234567 and 3.14159", "CamelCaseWords and snake_case_words",
            "\u0000 control \u0007 bytes", "DON'T SHOUT, WE'RE HERE. You'LL see 'em", "...!!! ??? ;-) (x) [y] {z}",
            "\n\n\n   \n\t\t end", "trailing spaces   ", "   leading spaces", "non\u00a0breaking\u2003em space",
            "Ελληνικά и кириллица", "مرحبا بالعالم", "the engine, the server, the cache: the end");

    private TokenizerConformanceFixtures() {}

    /**
     * A SentencePiece-style vocabulary: {@code <unk>}, {@code <s>}, {@code </s>}, the 256 byte tokens, then pieces taken
     * from the built-in corpus's BPE merges (spaces as ▁), scored so that earlier merges win.
     */
    public static void writeSentencePiece(Path file, int pieces) throws IOException {
        ByteLevelBpeTrainer.Trained bpe = ByteLevelBpeTrainer.train(ByteLevelBpeTrainer.builtInCorpus(), 256 + pieces);
        List<String> tokens = new ArrayList<>(List.of("<unk>", "<s>", "</s>"));
        List<Integer> types = new ArrayList<>(List.of(2, 3, 3));
        List<Float> scores = new ArrayList<>(List.of(0f, 0f, 0f));
        for (int b = 0; b < 256; b++) {
            tokens.add(String.format("<0x%02X>", b));
            types.add(6);
            scores.add(0f);
        }
        Set<String> seen = new LinkedHashSet<>();
        for (int i = 0; i < bpe.tokens().size(); i++) {
            String text = decodeByteLevel(bpe.tokens().get(i));
            if (text == null || text.isEmpty() || text.chars().anyMatch(Character::isISOControl)) {
                continue; // real SentencePiece vocabularies keep control characters as byte tokens only
            }
            String piece = text.replace(' ', '\u2581');
            if (seen.add(piece)) {
                tokens.add(piece);
                types.add(1);
                scores.add(-(float) i);
            }
        }
        float[] s = new float[scores.size()];
        int[] t = new int[types.size()];
        for (int i = 0; i < s.length; i++) {
            s[i] = scores.get(i);
            t[i] = types.get(i);
        }
        GgufWriter w = hparams(new GgufWriter(), tokens.size());
        w.put("tokenizer.ggml.model", GgufValue.ofString("llama"));
        w.put("tokenizer.ggml.tokens", GgufValue.ofStrings(tokens.toArray(String[]::new)));
        w.put("tokenizer.ggml.scores", GgufValue.ofFloats(s));
        w.put("tokenizer.ggml.token_type", GgufValue.ofInt32s(t));
        w.put("tokenizer.ggml.bos_token_id", GgufValue.ofUint32(1));
        w.put("tokenizer.ggml.eos_token_id", GgufValue.ofUint32(2));
        w.put("tokenizer.ggml.unknown_token_id", GgufValue.ofUint32(0));
        w.write(file);
    }

    /**
     * A byte-level BPE vocabulary learned from {@link #TEXTS} themselves (three times over, split as Llama 3 splits), so
     * that its merges run across the places where other pre-tokenizers cut words (case changes, contractions, digits):
     * with {@code tokenizer.ggml.pre} {@code pre}, a pre-tokenizer that cuts differently gives other tokens.
     */
    public static void writeByteLevel(Path file, String pre, int size) throws IOException {
        String corpus = String.join("\n", TEXTS);
        ByteLevelBpeTrainer.Trained bpe = ByteLevelBpeTrainer.train(corpus + "\n" + corpus + "\n" + corpus, size);
        int[] types = new int[bpe.tokens().size()];
        java.util.Arrays.fill(types, 1);
        GgufWriter w = hparams(new GgufWriter(), types.length);
        w.put("tokenizer.ggml.model", GgufValue.ofString("gpt2"));
        w.put("tokenizer.ggml.pre", GgufValue.ofString(pre));
        w.put("tokenizer.ggml.tokens", GgufValue.ofStrings(bpe.tokens().toArray(String[]::new)));
        w.put("tokenizer.ggml.token_type", GgufValue.ofInt32s(types));
        w.put("tokenizer.ggml.merges", GgufValue.ofStrings(bpe.merges().toArray(String[]::new)));
        w.write(file);
    }

    /** Hyperparameters llama.cpp reads even for a vocabulary-only load. */
    static GgufWriter hparams(GgufWriter w, int vocab) {
        w.put("general.architecture", GgufValue.ofString("llama"));
        w.put("llama.context_length", GgufValue.ofUint32(512));
        w.put("llama.embedding_length", GgufValue.ofUint32(64));
        w.put("llama.block_count", GgufValue.ofUint32(1));
        w.put("llama.feed_forward_length", GgufValue.ofUint32(128));
        w.put("llama.attention.head_count", GgufValue.ofUint32(4));
        w.put("llama.attention.head_count_kv", GgufValue.ofUint32(2));
        w.put("llama.rope.dimension_count", GgufValue.ofUint32(16));
        w.put("llama.attention.layer_norm_rms_epsilon", GgufValue.ofFloat32(1e-5f));
        w.put("llama.vocab_size", GgufValue.ofUint32(vocab));
        return w;
    }

    /** The text of a byte-level token, or null where its bytes are not whole UTF-8. */
    private static String decodeByteLevel(String token) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (char c : token.toCharArray()) {
            out.write(byteOf(c));
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(out.toByteArray())).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    private static int byteOf(char c) {
        for (int b = 0; b < 256; b++) {
            if (BytePairTokenizer.byteEncode(new byte[] {(byte) b}).charAt(0) == c) {
                return b;
            }
        }
        throw new IllegalArgumentException("not a byte-level character: " + c);
    }
}
