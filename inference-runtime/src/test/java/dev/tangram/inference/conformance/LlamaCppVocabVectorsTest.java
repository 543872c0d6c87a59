package dev.tangram.inference.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tangram.inference.gguf.GgufFile;
import dev.tangram.inference.tokenizer.GgufTokenizerReader;
import dev.tangram.inference.tokenizer.VocabularyTokenizer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * llama.cpp's own vocabulary test vectors ({@code models/ggml-vocab-NAME.gguf} with {@code .inp} / {@code .out}).
 * They are looked for in a llama.cpp models folder named by {@code -Dtangram.llamaVocabDir=...}, else in the npm
 * package {@code node-llama-cpp} ({@code npm pack}, never committed). The test is skipped, saying where it looked, when
 * neither has them: node-llama-cpp 3.x, 2.x and 1.x tarballs do not ship llama.cpp's models folder.
 */
class LlamaCppVocabVectorsTest {
    private static final String SEPARATOR = "\n__ggml_vocab_test__\n";

    @ParameterizedTest
    @ValueSource(strings = {"llama-spm", "llama-bpe", "gpt-2", "qwen2"})
    void tangramTokenizesEveryVectorOfLlamaCppVocabularies(String name) throws Exception {
        Path dir = vocabDir();
        Path gguf = dir.resolve("ggml-vocab-" + name + ".gguf");
        Path inp = dir.resolve("ggml-vocab-" + name + ".gguf.inp");
        Path out = dir.resolve("ggml-vocab-" + name + ".gguf.out");
        assumeTrue(Files.exists(gguf) && Files.exists(inp) && Files.exists(out), dir + " has no vectors for " + name);
        List<String> texts = new ArrayList<>(Arrays.asList(Files.readString(inp, StandardCharsets.UTF_8).split(SEPARATOR, -1)));
        if (!texts.isEmpty() && (texts.getLast().isBlank() || texts.getLast().equals("__ggml_vocab_test__\n"))) {
            texts.removeLast();
        }
        List<String> ids = Files.readAllLines(out, StandardCharsets.UTF_8);
        try (GgufFile g = GgufFile.open(gguf)) {
            VocabularyTokenizer tok = GgufTokenizerReader.read(g.metadata());
            for (int i = 0; i < texts.size(); i++) {
                String line = ids.get(i).trim();
                int[] expected = line.isEmpty() ? new int[0] : Arrays.stream(line.split("\\s+")).mapToInt(Integer::parseInt).toArray();
                assertThat(tok.encode(texts.get(i), false, false)).as("%s vector %d: %s", name, i, texts.get(i)).containsExactly(expected);
            }
        }
    }

    private static Path vocabDir() throws IOException, InterruptedException {
        String configured = System.getProperty("tangram.llamaVocabDir");
        if (configured != null) {
            return Path.of(configured);
        }
        Path home = Path.of(System.getProperty("java.io.tmpdir"), "tangram-npm", "pack-node-llama-cpp-" + NodeLlamaCpp.VERSION);
        Path unpacked = home.resolve("package");
        if (!Files.isDirectory(unpacked)) {
            Files.createDirectories(home);
            Process p = new ProcessBuilder("npm", "pack", "--silent", "node-llama-cpp@" + NodeLlamaCpp.VERSION).directory(home.toFile())
                    .redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            assumeTrue(p.waitFor(300, TimeUnit.SECONDS) && p.exitValue() == 0, "npm pack node-llama-cpp failed: is the npm registry reachable?");
            Path tgz = home.resolve("node-llama-cpp-" + NodeLlamaCpp.VERSION + ".tgz");
            Process tar = new ProcessBuilder("tar", "xzf", tgz.toString()).directory(home.toFile()).redirectErrorStream(true).start();
            tar.getInputStream().readAllBytes();
            assumeTrue(tar.waitFor(120, TimeUnit.SECONDS) && tar.exitValue() == 0, "could not unpack " + tgz);
        }
        try (Stream<Path> files = Files.walk(unpacked)) {
            Path found = files.filter(f -> f.getFileName().toString().startsWith("ggml-vocab-") && f.toString().endsWith(".gguf"))
                    .map(Path::getParent).findFirst().orElse(null);
            assumeTrue(found != null, "node-llama-cpp@" + NodeLlamaCpp.VERSION + " does not ship llama.cpp's models/ggml-vocab-*.gguf "
                    + "(looked in " + unpacked + "); point -Dtangram.llamaVocabDir at a llama.cpp models folder to run these vectors");
            return found;
        }
    }
}
