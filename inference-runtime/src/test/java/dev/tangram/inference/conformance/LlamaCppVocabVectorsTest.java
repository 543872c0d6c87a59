package dev.tangram.inference.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tangram.inference.gguf.GgufFile;
import dev.tangram.inference.gguf.GgufFormatException;
import dev.tangram.inference.tokenizer.GgufTokenizerReader;
import dev.tangram.inference.tokenizer.VocabularyTokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/**
 * llama.cpp's own vocabulary test vectors ({@code models/ggml-vocab-NAME.gguf} with {@code .inp} / {@code .out}), from
 * the llama.cpp tree that the npm package {@code node-llama-cpp} bundles (see {@link LlamaCppModelsFolder}). Every vector
 * of every vocabulary whose tokenizer model and pre-tokenizer Tangram supports must give exactly llama.cpp's ids, as
 * {@code tests/test-tokenizer-0.cpp} checks them: no BOS/EOS, special-token texts not parsed. Tangram's decoder must also
 * give each text back from those ids.
 */
class LlamaCppVocabVectorsTest {
    /** Every vocabulary that comes with vectors (file name without {@code ggml-vocab-} and {@code .gguf}). */
    static final List<String> WITH_VECTORS = List.of("llama-spm", "phi-3", "llama-bpe", "gpt-2", "mpt", "qwen2", "qwen35", "starcoder",
            "refact", "command-r", "falcon", "deepseek-coder", "deepseek-llm", "gemma-4", "bert-bge");

    /** WordPiece lower-cases, strips accents and drops the spaces around punctuation: its ids do not give the text back. */
    static final Set<String> LOSSY = Set.of("bert-bge");

    /** Vocabularies without vectors that Tangram refuses at load, and the key it names (t5 is a Unigram model). */
    static final Map<String, String> REFUSED = Map.of("nomic-bert-moe", "'tokenizer.ggml.model' = 't5'");

    @ParameterizedTest
    @FieldSource("WITH_VECTORS")
    void tangramTokenizesEveryVectorOfTheVocabularyAsLlamaCppDoes(String name) throws Exception {
        Path gguf = LlamaCppModelsFolder.get().resolve("ggml-vocab-" + name + ".gguf");
        VocabVectors vectors = VocabVectors.read(gguf);
        assertThat(vectors.size()).as("vectors of %s", name).isGreaterThan(30);
        List<String> mismatches = new ArrayList<>();
        try (GgufFile g = GgufFile.open(gguf)) {
            VocabularyTokenizer tok = GgufTokenizerReader.read(g.metadata());
            for (int i = 0; i < vectors.size(); i++) {
                int[] expected = vectors.expected().get(i);
                String text = vectors.texts().get(i);
                int[] actual = tok.encode(text, false, false);
                if (!Arrays.equals(expected, actual)) {
                    mismatches.add("vector " + i + " " + quoted(text) + ": expected " + Arrays.toString(expected) + " but was "
                            + Arrays.toString(actual));
                } else if (!LOSSY.contains(name) && !tok.decode(actual).equals(text)) {
                    mismatches.add("vector " + i + " " + quoted(text) + " decodes to " + quoted(tok.decode(actual)));
                }
            }
        }
        assertThat(mismatches).as("%s: vectors where Tangram differs from llama.cpp", name).isEmpty();
    }

    @Test
    void everyVocabularyWithVectorsIsChecked() throws Exception {
        assertThat(names(LlamaCppModelsFolder.get(), ".gguf.inp")).containsExactlyInAnyOrderElementsOf(WITH_VECTORS);
    }

    @Test
    void vocabulariesWithoutVectorsLoadOrAreRefusedNamingTheKey() throws Exception {
        Path dir = LlamaCppModelsFolder.get();
        TreeSet<String> withoutVectors = names(dir, ".gguf");
        withoutVectors.removeAll(WITH_VECTORS);
        assertThat(withoutVectors).containsAll(REFUSED.keySet()).hasSizeGreaterThan(REFUSED.size());
        for (String name : withoutVectors) {
            try (GgufFile g = GgufFile.open(dir.resolve("ggml-vocab-" + name + ".gguf"))) {
                if (REFUSED.containsKey(name)) {
                    assertThatThrownBy(() -> GgufTokenizerReader.read(g.metadata())).as(name).isInstanceOf(GgufFormatException.class)
                            .hasMessageContaining(REFUSED.get(name));
                } else {
                    VocabularyTokenizer tok = GgufTokenizerReader.read(g.metadata());
                    assertThat(tok.decode(tok.encode("Hello world", false, false))).as(name).isEqualTo("Hello world");
                }
            }
        }
    }

    private static TreeSet<String> names(Path dir, String suffix) throws IOException {
        TreeSet<String> names = new TreeSet<>();
        try (Stream<Path> files = Files.list(dir)) {
            files.map(f -> f.getFileName().toString()).filter(f -> f.startsWith("ggml-vocab-") && f.endsWith(suffix))
                    .forEach(f -> names.add(f.substring("ggml-vocab-".length(), f.length() - suffix.length())));
        }
        return names;
    }

    private static String quoted(String s) {
        String e = s.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t").replace("\r", "\\r");
        return "\"" + (e.length() > 80 ? e.substring(0, 80) + "..." : e) + "\"";
    }
}
