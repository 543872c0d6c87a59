package dev.tangram.inference.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tangram.inference.gguf.GgufFile;
import dev.tangram.inference.gguf.GgufFormatException;
import dev.tangram.inference.tokenizer.GgufTokenizerReader;
import dev.tangram.inference.tokenizer.VocabularyTokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * llama.cpp's own vocabulary test vectors ({@code models/ggml-vocab-NAME.gguf} with {@code .inp} / {@code .out}), from
 * the llama.cpp tree that the npm package {@code node-llama-cpp} bundles (see {@link LlamaCppModelsFolder}). Every vector
 * of every vocabulary whose tokenizer model and pre-tokenizer Tangram supports must give exactly llama.cpp's ids, as
 * {@code tests/test-tokenizer-0.cpp} checks them: no BOS/EOS, special-token texts not parsed.
 */
class LlamaCppVocabVectorsTest {
    /** Vocabularies with vectors that Tangram tokenizes (file name without {@code ggml-vocab-} and {@code .gguf}). */
    static final List<String> SUPPORTED = List.of("llama-spm", "phi-3", "llama-bpe", "gpt-2", "mpt", "qwen2", "qwen35", "starcoder", "refact",
            "command-r", "falcon", "deepseek-coder", "deepseek-llm");

    /** Vocabularies with vectors that Tangram refuses at load, and why (docs/inference-engine.md says the same). */
    static final Map<String, String> UNSUPPORTED = Map.of(
            "bert-bge", "tokenizer.ggml.model",
            "gemma-4", "tokenizer.ggml.model");

    @ParameterizedTest
    @FieldSource("SUPPORTED")
    void tangramTokenizesEveryVectorOfTheVocabularyAsLlamaCppDoes(String name) throws Exception {
        Path gguf = LlamaCppModelsFolder.get().resolve("ggml-vocab-" + name + ".gguf");
        VocabVectors vectors = VocabVectors.read(gguf);
        assertThat(vectors.size()).as("vectors of %s", name).isGreaterThan(30);
        List<String> mismatches = new ArrayList<>();
        try (GgufFile g = GgufFile.open(gguf)) {
            VocabularyTokenizer tok = GgufTokenizerReader.read(g.metadata());
            for (int i = 0; i < vectors.size(); i++) {
                int[] expected = vectors.expected().get(i);
                int[] actual = tok.encode(vectors.texts().get(i), false, false);
                if (!Arrays.equals(expected, actual)) {
                    mismatches.add("vector " + i + " " + quoted(vectors.texts().get(i)) + ": expected " + Arrays.toString(expected)
                            + " but was " + Arrays.toString(actual));
                }
            }
        }
        assertThat(mismatches).as("%s: vectors where Tangram differs from llama.cpp", name).isEmpty();
    }

    static Stream<String> unsupported() {
        return UNSUPPORTED.keySet().stream().sorted();
    }

    @ParameterizedTest
    @MethodSource("unsupported")
    void vocabulariesTangramDoesNotSupportAreRefusedNamingTheKey(String name) throws Exception {
        Path gguf = LlamaCppModelsFolder.get().resolve("ggml-vocab-" + name + ".gguf");
        try (GgufFile g = GgufFile.open(gguf)) {
            assertThatThrownBy(() -> GgufTokenizerReader.read(g.metadata())).isInstanceOf(GgufFormatException.class)
                    .hasMessageContaining(UNSUPPORTED.get(name));
        }
    }

    @Test
    void everyVocabularyWithVectorsIsEitherCheckedOrListedAsUnsupported() throws Exception {
        TreeSet<String> withVectors = new TreeSet<>();
        try (Stream<Path> files = Files.list(LlamaCppModelsFolder.get())) {
            files.map(f -> f.getFileName().toString()).filter(f -> f.startsWith("ggml-vocab-") && f.endsWith(".gguf.inp"))
                    .forEach(f -> withVectors.add(f.substring("ggml-vocab-".length(), f.length() - ".gguf.inp".length())));
        }
        TreeSet<String> known = new TreeSet<>(SUPPORTED);
        known.addAll(UNSUPPORTED.keySet());
        assertThat(withVectors).containsExactlyElementsOf(known);
    }

    private static String quoted(String s) {
        String e = s.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t").replace("\r", "\\r");
        return "\"" + (e.length() > 80 ? e.substring(0, 80) + "..." : e) + "\"";
    }
}
