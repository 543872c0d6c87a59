package dev.tangram.inference.tokenizer;

import dev.tangram.inference.gguf.GgufFormatException;
import dev.tangram.inference.gguf.GgufMetadata;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Builds the tokenizer a GGUF file describes: {@code tokenizer.ggml.model} {@code llama} (SentencePiece-style),
 * {@code gpt2} (byte-level BPE, with the pre-tokenizer named by {@code tokenizer.ggml.pre}), {@code gemma4}
 * (SentencePiece-style BPE) or {@code bert} (WordPiece).
 */
public final class GgufTokenizerReader {
    /** Texts of control tokens that end a turn in common chat formats (gpt-oss's {@code <|return|>} and {@code <|call|>} too). */
    private static final Set<String> END_OF_TURN_TEXTS = Set.of("<|eot_id|>", "<|eom_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>",
            "<|endoftext|>", "<|end_of_text|>", "<EOT>", "<|return|>", "<|call|>");
    /**
     * gpt-oss's Harmony tokens: where a vocabulary ends turns with {@code <|return|>} and {@code <|call|>}, {@code <|end|>}
     * only closes one message of the answer (its reasoning, before the final one) and does not end generation, as
     * llama.cpp drops it from the end-of-generation tokens of such a vocabulary.
     */
    private static final Set<String> HARMONY_ENDS = Set.of("<|return|>", "<|call|>");

    private GgufTokenizerReader() {}

    public static VocabularyTokenizer read(GgufMetadata meta) {
        String model = meta.getString("tokenizer.ggml.model");
        Vocabulary vocab = vocabulary(meta);
        return switch (model) {
            case "llama" -> new SentencePieceTokenizer(vocab, meta.getBool("tokenizer.ggml.add_space_prefix", true));
            case "gpt2" -> new BytePairTokenizer(vocab, meta.getStringArray("tokenizer.ggml.merges"),
                    PreTokenizer.of(meta.findString("tokenizer.ggml.pre").orElse("default")));
            // Gemma 4's model implies its pre-tokenizer, whatever tokenizer.ggml.pre says (as in llama.cpp)
            case "gemma4" -> new BytePairTokenizer(vocab, meta.getStringArray("tokenizer.ggml.merges"), PreTokenizer.of("gemma4"));
            case "bert" -> {
                if (vocab.unk() < 0) {
                    throw new GgufFormatException("GGUF metadata: tokenizer.ggml.model 'bert' (WordPiece) needs "
                            + "'tokenizer.ggml.unknown_token_id', which is missing");
                }
                boolean lowercase = meta.getBool("tokenizer.ggml.normalizer.lowercase", true);
                yield new WordPieceTokenizer(vocab, lowercase, meta.getBool("tokenizer.ggml.normalizer.strip_accents", lowercase));
            }
            default -> throw new GgufFormatException("GGUF metadata key 'tokenizer.ggml.model' = '" + model
                    + "' names a tokenizer Tangram does not support (llama, gpt2, gemma4, bert are)");
        };
    }

    static Vocabulary vocabulary(GgufMetadata meta) {
        String[] tokens = meta.getStringArray("tokenizer.ggml.tokens");
        float[] scores = meta.contains("tokenizer.ggml.scores") ? meta.getFloatArray("tokenizer.ggml.scores") : new float[tokens.length];
        int[] types;
        if (meta.contains("tokenizer.ggml.token_type")) {
            types = meta.getIntArray("tokenizer.ggml.token_type");
        } else {
            types = new int[tokens.length];
            java.util.Arrays.fill(types, Vocabulary.NORMAL);
        }
        if (scores.length != tokens.length || types.length != tokens.length) {
            throw new GgufFormatException("GGUF metadata: tokenizer.ggml.tokens has " + tokens.length + " entries but scores has "
                    + scores.length + " and token_type " + types.length);
        }
        int bos = id(meta, "tokenizer.ggml.bos_token_id", tokens.length);
        int eos = id(meta, "tokenizer.ggml.eos_token_id", tokens.length);
        int unk = id(meta, "tokenizer.ggml.unknown_token_id", tokens.length);
        Set<Integer> eog = new LinkedHashSet<>();
        if (eos >= 0) {
            eog.add(eos);
        }
        for (String key : new String[] {"tokenizer.ggml.eot_token_id", "tokenizer.ggml.eom_token_id"}) {
            int id = id(meta, key, tokens.length);
            if (id >= 0) {
                eog.add(id);
            }
        }
        for (int i = 0; i < tokens.length; i++) {
            if (types[i] == Vocabulary.CONTROL && END_OF_TURN_TEXTS.contains(tokens[i])) {
                eog.add(i);
            }
        }
        if (eog.stream().map(i -> tokens[i]).filter(HARMONY_ENDS::contains).count() == HARMONY_ENDS.size()) {
            eog.removeIf(i -> tokens[i].equals("<|end|>"));
        }
        return new Vocabulary(tokens, scores, types, bos, eos, unk, Set.copyOf(eog), addsBos(meta), rightStripped(meta, tokens, types));
    }

    /**
     * The special tokens that take the whitespace after them, as llama.cpp marks them by the model's name: for a
     * {@code general.name} holding "phi-3" or "phi3" (any case), every control, user-defined and unknown token and
     * {@code </s>}, but not {@code <unk>}, {@code <s>} or {@code <|endoftext|>}; for any other model none.
     */
    static Set<Integer> rightStripped(GgufMetadata meta, String[] tokens, int[] types) {
        String name = meta.findString("general.name").orElse("").toLowerCase(java.util.Locale.ROOT);
        if (!name.contains("phi-3") && !name.contains("phi3")) {
            return Set.of();
        }
        Set<String> kept = Set.of("<unk>", "<s>", "<|endoftext|>");
        Set<Integer> out = new LinkedHashSet<>();
        for (int i = 0; i < tokens.length; i++) {
            boolean special = Vocabulary.isControl(types[i]) || types[i] == Vocabulary.USER_DEFINED;
            if ((special || tokens[i].equals("</s>")) && !kept.contains(tokens[i])) {
                out.add(i);
            }
        }
        return Set.copyOf(out);
    }

    /**
     * llama.cpp's {@code add_bos}: {@code tokenizer.ggml.add_bos_token} where the file says, else the tokenizer's default
     * (SentencePiece and WordPiece yes; byte-level BPE only for the Llama 3 group, so Qwen's, GPT-2's and most others' do
     * not); Gemma 4's always.
     */
    static boolean addsBos(GgufMetadata meta) {
        String model = meta.findString("tokenizer.ggml.model").orElse("");
        if (model.equals("gemma4")) {
            return true;
        }
        boolean byDefault = !model.equals("gpt2") || PreTokenizer.addsBosByDefault(meta.findString("tokenizer.ggml.pre").orElse("default"));
        return meta.getBool("tokenizer.ggml.add_bos_token", byDefault);
    }

    private static int id(GgufMetadata meta, String key, int size) {
        if (!meta.contains(key)) {
            return -1;
        }
        long id = meta.getLong(key);
        if (id < 0 || id >= size) {
            throw new GgufFormatException("GGUF metadata key '" + key + "' = " + id + " is outside the vocabulary of " + size + " tokens");
        }
        return (int) id;
    }
}
