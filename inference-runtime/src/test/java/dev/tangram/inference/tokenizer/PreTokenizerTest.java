package dev.tangram.inference.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tangram.inference.gguf.GgufFormatException;
import org.junit.jupiter.api.Test;

class PreTokenizerTest {
    @Test
    void gpt2SplitsLettersNumbersPunctuationAndKeepsTheLastSpaceForTheNextWord() {
        assertThat(PreTokenizer.of("gpt-2").split("Hello  world's 42!?")).containsExactly("Hello", " ", " world", "'s", " 42", "!?");
    }

    @Test
    void laterExpressionsSplitOnlyInsideThePiecesOfEarlierOnes() {
        // starcoder: single digits first, then GPT-2's expression inside each remaining piece
        assertThat(PreTokenizer.of("starcoder").split("abc 123x")).containsExactly("abc", " ", "1", "2", "3", "x");
        // falcon: runs of punctuation first, GPT-2 inside the rest, then three-digit groups
        assertThat(PreTokenizer.of("falcon").split("a, 12345...")).containsExactly("a", ",", " ", "123", "45", "...");
    }

    @Test
    void aLookAheadDoesNotSeePastTheEndOfItsPiece() {
        // deepseek-coder cuts at "\n" first; "\s+$" style rules then see each piece alone
        assertThat(PreTokenizer.of("deepseek-llm").split("ab  \ncd")).containsExactly("ab", "  ", "\n", "cd");
    }

    @Test
    void nonAsciiWhitespaceIsMatchedAsWhitespaceOnlyAndKeepsItsOwnText() {
        // deepseek-llm's punctuation class names U+3000, but llama.cpp's regex sees U+3000 as plain whitespace
        assertThat(PreTokenizer.of("deepseek-llm").split("\u3000\u3000\uFF01")).containsExactly("\u3000", "\u3000\uFF01");
        assertThat(PreTokenizer.of("gpt-2").split("a\u3000\u3000b")).containsExactly("a", "\u3000", "\u3000", "b");
    }

    @Test
    void wordsAlwaysConcatenateToTheText() {
        String text = "  Hello, y'all! 😁 ?我想在apple工作1314151天～ \t\n\n  x";
        for (String name : new String[] {"default", "gpt-2", "llama-bpe", "qwen2", "qwen35", "starcoder", "falcon", "deepseek-coder", "deepseek-llm", "tekken",
            "seed-coder"}) {
            assertThat(String.join("", PreTokenizer.of(name).split(text))).as(name).isEqualTo(text);
        }
    }

    /**
     * Tekken (Mistral NeMo, Mistral Small 3): GPT-4o's cased words, but the contraction a word of its own and digits one by
     * one, where GPT-4o keeps "'s" on its word and takes digits three at a time; Llama 3's BOS by default.
     */
    @Test
    void tekkenSplitsContractionsOffAndDigitsOneByOne() {
        assertThat(PreTokenizer.of("tekken").split("It's 2048 HTTPServer")).containsExactly("It", "'s", " ", "2", "0", "4", "8", " HTTPServer");
        assertThat(PreTokenizer.of("gpt-4o").split("It's 2048 HTTPServer")).containsExactly("It's", " ", "204", "8", " HTTPServer");
        assertThat(PreTokenizer.addsBosByDefault("tekken")).isTrue();
        assertThat(PreTokenizer.addsBosByDefault("gpt-4o")).isFalse();
    }

    @Test
    void onlyLlama3StyleVocabulariesTakeAWholeTokenWordBeforeMerging() {
        assertThat(PreTokenizer.of("llama-bpe").ignoreMerges()).isTrue();
        assertThat(PreTokenizer.of("tekken").ignoreMerges()).isTrue();
        assertThat(PreTokenizer.of("smaug-bpe").ignoreMerges()).isFalse();
        assertThat(PreTokenizer.of("qwen2").ignoreMerges()).isFalse();
    }

    @Test
    void anUnknownPreTokenizerIsRefusedNamingTheKey() {
        assertThatThrownBy(() -> PreTokenizer.of("jais")).isInstanceOf(GgufFormatException.class)
                .hasMessageContaining("'tokenizer.ggml.pre' = 'jais'").hasMessageContaining("llama-bpe");
    }
}
