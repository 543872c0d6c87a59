package dev.tangram.inference.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tangram.inference.gguf.GgufMetadata;
import dev.tangram.inference.gguf.GgufValue;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GgufTokenizerReaderTest {
    private static GgufMetadata meta(String model, String pre, Boolean addBos) {
        Map<String, GgufValue> m = new HashMap<>();
        m.put("tokenizer.ggml.model", GgufValue.ofString(model));
        m.put("tokenizer.ggml.tokens", GgufValue.ofStrings(new String[] {"a", "b", "<|endoftext|>"}));
        m.put("tokenizer.ggml.token_type", GgufValue.ofInt32s(new int[] {1, 1, 3}));
        m.put("tokenizer.ggml.merges", GgufValue.ofStrings(new String[0]));
        m.put("tokenizer.ggml.bos_token_id", GgufValue.ofUint32(2));
        if (pre != null) {
            m.put("tokenizer.ggml.pre", GgufValue.ofString(pre));
        }
        if (addBos != null) {
            m.put("tokenizer.ggml.add_bos_token", GgufValue.ofBool(addBos));
        }
        return new GgufMetadata(m);
    }

    /** llama.cpp's rule: the file's add_bos_token, else the tokenizer's default; Gemma 4 always. */
    @Test
    void bosGoesFirstWhereLlamaCppPutsIt() {
        assertThat(GgufTokenizerReader.addsBos(meta("gpt2", "qwen2", null))).isFalse();
        assertThat(GgufTokenizerReader.addsBos(meta("gpt2", null, null))).isFalse();
        assertThat(GgufTokenizerReader.addsBos(meta("gpt2", "llama-bpe", null))).isTrue();
        assertThat(GgufTokenizerReader.addsBos(meta("llama", null, null))).isTrue();
        assertThat(GgufTokenizerReader.addsBos(meta("bert", null, null))).isTrue();
        assertThat(GgufTokenizerReader.addsBos(meta("gpt2", "qwen2", true))).isTrue();
        assertThat(GgufTokenizerReader.addsBos(meta("gpt2", "llama-bpe", false))).isFalse();
        assertThat(GgufTokenizerReader.addsBos(meta("llama", null, false))).isFalse();
        assertThat(GgufTokenizerReader.addsBos(meta("gemma4", null, false))).isTrue();
    }

    /**
     * A Qwen2-style vocabulary has a BOS id (its {@code <|endoftext|>}) but says not to add it: prompts start with their
     * own first token, as in llama.cpp. (Tangram used to put that end-of-text token before every prompt.)
     */
    @Test
    void aVocabularyThatSaysNotToAddBosTokenizesWithoutIt() {
        VocabularyTokenizer qwen = GgufTokenizerReader.read(meta("gpt2", "qwen2", false));
        assertThat(qwen.bos()).isEqualTo(2);
        assertThat(qwen.encode("ab", true)).containsExactly(0, 1);
        VocabularyTokenizer llama3 = GgufTokenizerReader.read(meta("gpt2", "llama-bpe", true));
        assertThat(llama3.encode("ab", true)).containsExactly(2, 0, 1);
        assertThat(llama3.encode("ab", false)).containsExactly(0, 1);
    }

    /**
     * gpt-oss's Harmony vocabulary ends generation at {@code <|return|>} and {@code <|call|>}, and not at {@code <|end|>},
     * which closes its reasoning message before the final one (llama.cpp drops it from such a vocabulary's ends); a
     * vocabulary without both keeps {@code <|end|>} (Phi-3's turns end with it).
     */
    @Test
    void aHarmonyVocabularyEndsAtReturnAndCallButNotAtEnd() {
        Map<String, GgufValue> m = new HashMap<>();
        m.put("tokenizer.ggml.model", GgufValue.ofString("gpt2"));
        m.put("tokenizer.ggml.tokens", GgufValue.ofStrings(new String[] {"a", "<|return|>", "<|end|>", "<|call|>", "<|channel|>", "<|endoftext|>"}));
        m.put("tokenizer.ggml.token_type", GgufValue.ofInt32s(new int[] {1, 3, 3, 3, 3, 3}));
        m.put("tokenizer.ggml.merges", GgufValue.ofStrings(new String[0]));
        m.put("tokenizer.ggml.eos_token_id", GgufValue.ofUint32(1));
        assertThat(GgufTokenizerReader.vocabulary(new GgufMetadata(m)).endOfGeneration()).containsExactlyInAnyOrder(1, 3, 5);
        m.put("tokenizer.ggml.tokens", GgufValue.ofStrings(new String[] {"a", "<|return|>", "<|end|>", "b", "<|channel|>", "<|endoftext|>"}));
        assertThat(GgufTokenizerReader.vocabulary(new GgufMetadata(m)).endOfGeneration()).containsExactlyInAnyOrder(1, 2, 5);
    }
}
