package dev.tangram.inference.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tangram.core.json.Json;
import dev.tangram.inference.gguf.GgmlType;
import dev.tangram.inference.gguf.GgufFile;
import dev.tangram.inference.model.LoadedModel;
import dev.tangram.inference.model.ModelLoader;
import dev.tangram.inference.model.PagedKvCache;
import dev.tangram.inference.model.SequenceChunk;
import dev.tangram.inference.randommodel.RandomModelSpec;
import dev.tangram.inference.randommodel.RandomModelWriter;
import dev.tangram.inference.sampling.Sampler;
import dev.tangram.inference.tokenizer.GgufTokenizerReader;
import dev.tangram.inference.tokenizer.TokenizerConformanceFixtures;
import dev.tangram.inference.tokenizer.VocabularyTokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Tangram against llama.cpp itself: llama.cpp (from the npm package node-llama-cpp) loads the models gguf-random
 * writes, tokenizes text with their vocabularies, and generates greedily from them; Tangram must agree.
 */
class LlamaCppConformanceTest {
    private static final String TOKENIZE = """
            import {getLlama} from "node-llama-cpp";
            import {readFileSync} from "node:fs";
            const llama = await getLlama({build: "never", gpu: false, logLevel: "error"});
            const model = await llama.loadModel({modelPath: process.argv[2], vocabOnly: true});
            for (const t of JSON.parse(readFileSync(process.argv[3], "utf8"))) console.log("OUT " + Array.from(model.tokenize(t, true)).join(" "));
            """;
    private static final String GENERATE = """
            import {getLlama} from "node-llama-cpp";
            const llama = await getLlama({build: "never", gpu: false, logLevel: "error"});
            const model = await llama.loadModel({modelPath: process.argv[2]});
            const context = await model.createContext({contextSize: 256});
            const seq = context.getSequence();
            const out = [];
            for await (const t of seq.evaluate(JSON.parse(process.argv[3]), {temperature: 0})) { out.push(t); if (out.length >= Number(process.argv[4])) break; }
            console.log("OUT " + out.join(" "));
            """;

    @TempDir
    Path dir;

    @Test
    void llamaCppTokenizesLikeTangramWithTheGeneratedByteLevelBpeVocabulary() throws Exception {
        Path file = dir.resolve("tiny.gguf");
        RandomModelWriter.write(RandomModelSpec.tiny(GgmlType.Q8_0), file);
        compareTokenizers(file);
    }

    @Test
    void llamaCppTokenizesLikeTangramWithASentencePieceVocabulary() throws Exception {
        Path file = dir.resolve("spm.gguf");
        TokenizerConformanceFixtures.writeSentencePiece(file, 600);
        compareTokenizers(file);
    }

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"F32", "F16"})
    void llamaCppGeneratesTheSameGreedyTokensFromAGeneratedModel(GgmlType type) throws Exception {
        Path file = dir.resolve("tiny-" + type + ".gguf");
        RandomModelWriter.write(RandomModelSpec.tiny(type), file);
        compareGeneration(file);
    }

    /**
     * K-quant models (256 wide: the super-block is 256 elements): llama.cpp decodes our Q4_K / Q5_K / Q6_K blocks with its
     * own code, so agreeing on the greedy tokens checks the block layout end to end, not only against our decoder.
     */
    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"Q4_K", "Q5_K", "Q6_K"})
    void llamaCppGeneratesTheSameGreedyTokensFromAKQuantModel(GgmlType type) throws Exception {
        Path file = dir.resolve("k-" + type + ".gguf");
        RandomModelWriter.write(new RandomModelSpec(2, 256, 4, 4, 512, 512, 2048, 10000f, type, true, 42), file);
        compareGeneration(file);
    }

    private void compareGeneration(Path file) throws Exception {
        int[] prompt = {5, 300, 17, 99, 256, 400, 3, 120, 42, 128, 7};
        int steps = 8;
        List<String> out = NodeLlamaCpp.node("generate", GENERATE, file.toString(), Arrays.toString(prompt), String.valueOf(steps));
        int[] theirs = Arrays.stream(out.getFirst().trim().split(" ")).mapToInt(Integer::parseInt).toArray();

        List<Integer> ours = new ArrayList<>();
        try (LoadedModel m = ModelLoader.load(file, 2)) {
            PagedKvCache cache = new PagedKvCache(m.config(), 8, 16);
            int[] table = {0, 1, 2, 3, 4, 5, 6, 7};
            float[] logits = m.forwardPass().forward(List.of(new SequenceChunk(prompt, 0, table, true)), cache)[0];
            int pos = prompt.length;
            for (int s = 0; s < steps; s++) {
                int next = Sampler.argmax(logits);
                ours.add(next);
                logits = m.forwardPass().forward(List.of(new SequenceChunk(new int[] {next}, pos++, table, true)), cache)[0];
            }
        }
        assertThat(ours).containsExactlyElementsOf(Arrays.stream(theirs).boxed().toList());
    }

    private void compareTokenizers(Path file) throws Exception {
        List<String> texts = TokenizerConformanceFixtures.TEXTS;
        Path textsFile = dir.resolve("texts.json");
        Files.writeString(textsFile, Json.write(texts));
        List<String> lines = NodeLlamaCpp.node("tokenize", TOKENIZE, file.toString(), textsFile.toString());
        assertThat(lines).hasSize(texts.size());
        try (GgufFile g = GgufFile.open(file)) {
            VocabularyTokenizer tok = GgufTokenizerReader.read(g.metadata());
            for (int i = 0; i < texts.size(); i++) {
                String line = lines.get(i).trim();
                int[] expected = line.isEmpty() ? new int[0] : Arrays.stream(line.split(" ")).mapToInt(Integer::parseInt).toArray();
                assertThat(tok.encode(texts.get(i), false, true)).as("tokens of %s", Json.write(texts.get(i))).containsExactly(expected);
            }
        }
    }
}
