package dev.tangram.inference.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tangram.inference.gguf.GgmlType;
import dev.tangram.inference.model.LoadedModel;
import dev.tangram.inference.model.ModelLoader;
import dev.tangram.inference.model.PagedKvCache;
import dev.tangram.inference.model.SequenceChunk;
import dev.tangram.inference.model.TokenScoring;
import dev.tangram.inference.randommodel.RandomModelSpec;
import dev.tangram.inference.randommodel.RandomModelWriter;
import dev.tangram.inference.sampling.TokenLogprobs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tangram's forward pass against an independent Llama: Hugging Face transformers, which reads the GGUF files gguf-random
 * writes with its own reader and dequantiser and runs its own attention, RoPE and MLP. Every token of a 300-token prompt
 * must get the same log-probability from both, for every tensor type both read, on a shape with four query heads per KV
 * head and prompts longer than one attention tile. Needs a Python with torch, transformers, gguf and accelerate, named
 * by the environment variable {@code TANGRAM_TRANSFORMERS_PYTHON} (docs/inference-engine.md says how to make one);
 * skipped without it.
 */
class TransformersReferenceIT {
    private static final String PYTHON = System.getenv("TANGRAM_TRANSFORMERS_PYTHON");
    private static final GgmlType[] TYPES = {GgmlType.F32, GgmlType.F16, GgmlType.BF16, GgmlType.Q8_0, GgmlType.Q4_0, GgmlType.Q4_K,
        GgmlType.Q6_K};

    @TempDir
    Path dir;

    @Test
    void everyTokenGetsTheLogProbabilityTransformersGivesIt() throws Exception {
        assumeTrue(PYTHON != null && Files.isExecutable(Path.of(PYTHON)),
                "set TANGRAM_TRANSFORMERS_PYTHON to a Python with torch, transformers, gguf and accelerate to compare with transformers");
        Random r = new Random(11);
        int[] prompt = IntStream.range(0, 300).map(i -> 2 + r.nextInt(500)).toArray();
        List<Path> files = new ArrayList<>();
        for (GgmlType type : TYPES) {
            Path file = dir.resolve("g4-" + type + ".gguf");
            RandomModelWriter.write(new RandomModelSpec(2, 1024, 16, 4, 1024, 512, 2048, 10000f, type, true, 42), file);
            files.add(file);
        }
        Path script = dir.resolve("transformers_logprobs.py");
        try (var in = getClass().getResourceAsStream("/conformance/transformers_logprobs.py")) {
            Files.write(script, in.readAllBytes());
        }
        List<String> cmd = new ArrayList<>(List.of(PYTHON, script.toString(),
                Arrays.stream(prompt).mapToObj(String::valueOf).collect(Collectors.joining(","))));
        files.forEach(f -> cmd.add(f.toString()));
        NodeLlamaCpp.Result result = NodeLlamaCpp.run(dir, 900, cmd.toArray(String[]::new));
        assertThat(result.code()).as(result.output()).isZero();
        List<String> lines = result.output().lines().filter(l -> l.startsWith("OUT ")).toList();
        assertThat(lines).hasSize(files.size());

        for (int f = 0; f < files.size(); f++) {
            double[] theirs = Arrays.stream(lines.get(f).substring(4).split(",")).mapToDouble(Double::parseDouble).toArray();
            double[] ours = logprobs(files.get(f), prompt);
            assertThat(ours).hasSameSizeAs(theirs);
            for (int p = 0; p < ours.length; p++) {
                assertThat(ours[p]).as("%s, token %d", TYPES[f], p + 1).isCloseTo(theirs[p], org.assertj.core.api.Assertions.within(2e-4));
            }
        }
    }

    /** The log-probability of each token after the ones before it, from Tangram's forward pass (prompt scoring). */
    private static double[] logprobs(Path file, int[] prompt) throws Exception {
        try (LoadedModel m = ModelLoader.load(file, 2)) {
            PagedKvCache cache = new PagedKvCache(m.config(), prompt.length / 16 + 1, 16);
            int[] table = IntStream.range(0, cache.numBlocks()).toArray();
            TokenScoring scoring = new TokenScoring(0, -1, new TokenLogprobs[prompt.length]);
            m.forwardPass().forward(List.of(new SequenceChunk(prompt, 0, table, false, scoring)), cache);
            double[] out = new double[prompt.length - 1];
            for (int p = 0; p + 1 < prompt.length; p++) {
                out[p] = scoring.out()[p].logprob();
            }
            return out;
        }
    }
}
