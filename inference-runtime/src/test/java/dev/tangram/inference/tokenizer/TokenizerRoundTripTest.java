package dev.tangram.inference.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tangram.inference.gguf.GgmlType;
import dev.tangram.inference.gguf.GgufFile;
import dev.tangram.inference.gguf.GgufFormatException;
import dev.tangram.inference.gguf.GgufValue;
import dev.tangram.inference.gguf.GgufWriter;
import dev.tangram.inference.randommodel.RandomModelSpec;
import dev.tangram.inference.randommodel.RandomModelWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenizerRoundTripTest {

    @TempDir
    Path dir;

    @Test
    void byteLevelBpeDecodesWhatItEncodes() throws IOException {
        Path file = dir.resolve("tiny.gguf");
        RandomModelWriter.write(RandomModelSpec.tiny(GgmlType.Q8_0), file);
        try (GgufFile g = GgufFile.open(file)) {
            VocabularyTokenizer tok = GgufTokenizerReader.read(g.metadata());
            assertThat(tok).isInstanceOf(BytePairTokenizer.class);
            for (String text : TokenizerConformanceFixtures.TEXTS) {
                int[] ids = tok.encode(text, false);
                String withoutBosEos = text.replace("<|begin_of_text|>", "").replace("<|end_of_text|>", "");
                assertThat(tok.decode(ids)).as(text).isEqualTo(withoutBosEos);
            }
            int[] withBos = tok.encode("Hello", true);
            assertThat(withBos[0]).isEqualTo(tok.bos());
            assertThat(tok.decode(withBos)).isEqualTo("Hello");
            int[] plain = tok.encode("plain text, no special tokens", false);
            assertThat(concatBytes(tok, plain)).isEqualTo("plain text, no special tokens".getBytes(StandardCharsets.UTF_8));
            int eot = tok.encode("<|eot_id|>", false)[0];
            assertThat(tok.vocabulary().tokens()[eot]).isEqualTo("<|eot_id|>");
            assertThat(tok.isEndOfGeneration(eot)).isTrue();
            assertThat(tok.isEndOfGeneration(tok.eos())).isTrue();
            assertThat(tok.encode("<|eot_id|>", false, false)).hasSizeGreaterThan(1);
            // merges learned from the corpus make common words short
            assertThat(tok.encode(" the", false)).hasSize(1);
        }
    }

    @Test
    void sentencePieceDecodesWhatItEncodesWithByteFallback() throws IOException {
        Path file = dir.resolve("spm.gguf");
        TokenizerConformanceFixtures.writeSentencePiece(file, 400);
        try (GgufFile g = GgufFile.open(file)) {
            VocabularyTokenizer tok = GgufTokenizerReader.read(g.metadata());
            assertThat(tok).isInstanceOf(SentencePieceTokenizer.class);
            for (String text : TokenizerConformanceFixtures.TEXTS) {
                int[] ids = tok.encode(text, true);
                assertThat(ids[0]).isEqualTo(1);
                assertThat(tok.decode(ids)).as(text).isEqualTo(text);
                assertThat(concatBytes(tok, tok.encode(text, false))).as(text)
                        .isEqualTo(((text.isEmpty() ? "" : " ") + text).getBytes(StandardCharsets.UTF_8));
            }
            // a character the vocabulary lacks falls back to its UTF-8 bytes
            int[] llama = tok.encode("🦙", false);
            String[] texts = tok.vocabulary().tokens();
            assertThat(llama).hasSize(5); // ▁ piece, then 4 bytes
            assertThat(texts[llama[1]]).isEqualTo("<0xF0>");
            assertThat(texts[llama[0]]).isEqualTo("\u2581");
        }
    }

    @Test
    void sentencePiecePrefersTheHighestScoringMerge() {
        // pieces: ▁ a b ab ▁a ▁ab with scores making "ab" win over "▁a" first
        String[] tokens = {"<unk>", "<s>", "</s>", "\u2581", "a", "b", "ab", "\u2581a", "\u2581ab"};
        float[] scores = {0, 0, 0, -10, -10, -10, -1, -2, -3};
        int[] types = {2, 3, 3, 1, 1, 1, 1, 1, 1};
        Vocabulary v = new Vocabulary(tokens, scores, types, 1, 2, 0, java.util.Set.of(2));
        SentencePieceTokenizer tok = new SentencePieceTokenizer(v, true);
        // "▁ab": ab (score -1) merges first, then ▁ + ab = ▁ab
        assertThat(tok.encode("ab", false)).containsExactly(8);
        // "▁aa": no "aa"; ▁a (-2) merges, then a stays
        assertThat(tok.encode("aa", false)).containsExactly(7, 4);
    }

    @Test
    void unsupportedTokenizerModelsAreNamedInTheError() throws IOException {
        Path file = dir.resolve("t5.gguf");
        new GgufWriter().put("tokenizer.ggml.model", GgufValue.ofString("t5"))
                .put("tokenizer.ggml.tokens", GgufValue.ofStrings("a")).write(file);
        try (GgufFile g = GgufFile.open(file)) {
            assertThatThrownBy(() -> GgufTokenizerReader.read(g.metadata())).isInstanceOf(GgufFormatException.class)
                    .hasMessageContaining("tokenizer.ggml.model").hasMessageContaining("t5");
        }
    }

    @Test
    void aWordPieceVocabularyWithoutAnUnknownTokenIsRefusedNamingTheKey() throws IOException {
        Path file = dir.resolve("bert.gguf");
        new GgufWriter().put("tokenizer.ggml.model", GgufValue.ofString("bert"))
                .put("tokenizer.ggml.tokens", GgufValue.ofStrings("a")).write(file);
        try (GgufFile g = GgufFile.open(file)) {
            assertThatThrownBy(() -> GgufTokenizerReader.read(g.metadata())).isInstanceOf(GgufFormatException.class)
                    .hasMessageContaining("tokenizer.ggml.unknown_token_id");
        }
    }

    private static byte[] concatBytes(Tokenizer tok, int[] ids) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (int id : ids) {
            out.writeBytes(tok.tokenBytes(id));
        }
        return out.toByteArray();
    }
}
