package dev.tangram.inference.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tangram.inference.gguf.GgmlType;
import dev.tangram.inference.gguf.GgufValue;
import dev.tangram.inference.kernels.ReadAheadSetting;
import dev.tangram.inference.kernels.WeightLayout;
import dev.tangram.inference.model.Architecture;
import dev.tangram.inference.model.Experts;
import dev.tangram.inference.model.LoadedModel;
import dev.tangram.inference.model.ModelLoader;
import dev.tangram.inference.model.PagedKvCache;
import dev.tangram.inference.model.SequenceChunk;
import dev.tangram.inference.model.TokenScoring;
import dev.tangram.inference.randommodel.RandomModelSpec;
import dev.tangram.inference.randommodel.RandomModelWriter;
import dev.tangram.inference.sampling.TokenLogprobs;
import dev.tangram.inference.testing.GgufCopy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
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
 *
 * <p>Q4_0, Q4_K and Q6_K are compared twice (and Q5_0, whose lanes are Q8_0's, multiplying floats). In the file's row layout Tangram multiplies floats, as transformers does:
 * within 2e-4. With rows in lanes those matrices multiply their input rounded to 8 bits per block of 32, and transformers' linear layers
 * are given the same rounding; but a value a hair from half a level rounds either way, so float noise that moves
 * log-probabilities by 1e-5 elsewhere moves them by hundredths here (transformers' own float32 and float64 runs, both
 * rounding, differ by 0.03 on this shape). That comparison is held to 0.1: it still fails on a wrong scale or nibble.
 *
 * <p>Since session 22 also Qwen3-MoE, Phi-3, Gemma 2 and Gemma 3, through transformers' own models, told what its GGUF
 * reader does not take from the file ({@link Case#config}).
 */
class TransformersReferenceIT {
    /**
     * One comparison: a model of {@code type}, loaded by Tangram with {@code layout}; {@code int8Input}: transformers rounds
     * as Tangram's Q4_0, Q4_K and Q6_K lanes do; {@code arch} with heads {@code headDim} wide.
     */
    private record Case(GgmlType type, WeightLayout layout, boolean int8Input, double tolerance, Architecture arch, int headDim,
                        Experts experts, boolean yarn) {
        Case(GgmlType type, WeightLayout layout, boolean int8Input, double tolerance, Architecture arch, int headDim, Experts experts) {
            this(type, layout, int8Input, tolerance, arch, headDim, experts, false);
        }

        Case(GgmlType type, WeightLayout layout, boolean int8Input, double tolerance) {
            this(type, layout, int8Input, tolerance, Architecture.LLAMA, 64);
        }

        Case(GgmlType type, WeightLayout layout, boolean int8Input, double tolerance, Architecture arch, int headDim) {
            this(type, layout, int8Input, tolerance, arch, headDim, Experts.NONE);
        }

        /**
         * What transformers' config must be told that its GGUF reader leaves out (transformers 5.18): an expert's width (it
         * reads no {@code expert_feed_forward_length}; that the chosen experts' weights are renormalised, as llama.cpp and
         * Tangram do, it sets itself: with {@code norm_topk_prob} false every token differs); Phi-3's padding id (its
         * default, 32,000, is past this vocabulary); Gemma's head size and the query scale llama.cpp takes from it
         * ({@code query_pre_attn_scalar}, 256 by default), Gemma 2's caps (the file's, which it does not read) with the
         * one attention implementation that applies them (eager), Gemma 3's layer pattern and local RoPE base (the file's
         * {@code sliding_window_pattern} and {@code rope.freq_base_swa}, which it does not read; with the global base for
         * both every token from the second differs).
         */
        List<String> config() {
            List<String> out = new ArrayList<>();
            if (experts.present()) {
                out.addAll(List.of("--config", "moe_intermediate_size=" + experts.ffn()));
            }
            if (yarn) {
                out.addAll(List.of("--config", "rope_parameters={\"rope_type\":\"yarn\",\"factor\":" + YARN_FACTOR
                        + ",\"original_max_position_embeddings\":" + YARN_ORIGINAL + ",\"rope_theta\":10000.0}"));
            }
            switch (arch) {
                case PHI3 -> out.addAll(List.of("--config", "pad_token_id=null"));
                case GEMMA2 -> out.addAll(List.of("--config", "head_dim=" + headDim, "--config", "query_pre_attn_scalar=" + headDim,
                        "--config", "attn_logit_softcapping=" + RandomModelWriter.GEMMA2_ATTENTION_CAP, "--config",
                        "final_logit_softcapping=" + RandomModelWriter.GEMMA2_LOGIT_CAP, "--config",
                        "attn_implementation=\"eager\""));
                case GEMMA3 -> out.addAll(List.of("--config", "head_dim=" + headDim, "--config", "query_pre_attn_scalar=" + headDim,
                        "--config", "layer_types=[\"sliding_attention\",\"full_attention\"]", "--config",
                        "rope_parameters={\"sliding_attention\":{\"rope_type\":\"default\",\"rope_theta\":100.0},"
                                + "\"full_attention\":{\"rope_type\":\"default\",\"rope_theta\":10000.0}}"));
                default -> {
                }
            }
            return out;
        }
    }

    private static final List<Case> CASES = List.of(new Case(GgmlType.F32, WeightLayout.AUTO, false, 2e-4),
            new Case(GgmlType.F16, WeightLayout.AUTO, false, 2e-4), new Case(GgmlType.BF16, WeightLayout.AUTO, false, 2e-4),
            new Case(GgmlType.Q8_0, WeightLayout.AUTO, false, 2e-4), new Case(GgmlType.Q4_0, WeightLayout.ROWS, false, 2e-4),
            new Case(GgmlType.Q4_0, WeightLayout.LANES, true, 0.1), new Case(GgmlType.Q4_K, WeightLayout.ROWS, false, 2e-4),
            new Case(GgmlType.Q4_K, WeightLayout.LANES, true, 0.1), new Case(GgmlType.Q6_K, WeightLayout.ROWS, false, 2e-4),
            new Case(GgmlType.Q6_K, WeightLayout.LANES, true, 0.1),
            // the type llama.cpp's Q4_K_M files fall back to for rows not a multiple of 256, in rows and widened to Q8_0 lanes
            new Case(GgmlType.Q5_0, WeightLayout.ROWS, false, 2e-4), new Case(GgmlType.Q5_0, WeightLayout.LANES, false, 2e-4),
            // transformers' own Qwen2 and Qwen3 (RoPE over halves, Q/K/V biases; per-head Q/K norms and heads of 128 over a
            // width of 1,024, as Qwen3's)
            new Case(GgmlType.F32, WeightLayout.AUTO, false, 2e-4, Architecture.QWEN2, 64),
            new Case(GgmlType.Q8_0, WeightLayout.AUTO, false, 2e-4, Architecture.QWEN3, 128),
            // transformers' own Qwen3-MoE (session 22): eight experts 256 wide, two a token, in floats and in Q8_0
            new Case(GgmlType.F32, WeightLayout.AUTO, false, 2e-4, Architecture.QWEN3MOE, 128, new Experts(8, 2, 256)),
            new Case(GgmlType.Q8_0, WeightLayout.AUTO, false, 2e-4, Architecture.QWEN3MOE, 128, new Experts(8, 2, 256)),
            // transformers' own Phi-3 (fused QKV and gate-up), Gemma 2 (score and logit caps, a window of 8 positions on
            // every other layer) and Gemma 3 (a window of 8 and a local RoPE base on its first layer), session 22
            new Case(GgmlType.F32, WeightLayout.AUTO, false, 2e-4, Architecture.PHI3, 64),
            new Case(GgmlType.F32, WeightLayout.AUTO, false, 2e-4, Architecture.GEMMA2, 64),
            new Case(GgmlType.F32, WeightLayout.AUTO, false, 2e-4, Architecture.GEMMA3, 64),
            // transformers' own YaRN (session 24) on Qwen3: a factor of 4 over an original context of 64, which the
            // 300-token prompt passes well beyond
            new Case(GgmlType.F32, WeightLayout.AUTO, false, 2e-4, Architecture.QWEN3, 128, Experts.NONE, true));
    private static final float YARN_FACTOR = 4f;
    private static final int YARN_ORIGINAL = 64;

    @TempDir
    Path dir;

    @Test
    void everyTokenGetsTheLogProbabilityTransformersGivesIt() throws Exception {
        String python = PythonScript.interpreter("TANGRAM_TRANSFORMERS_PYTHON",
                "torch, transformers, gguf and accelerate to compare with transformers");
        Random r = new Random(11);
        int[] prompt = IntStream.range(0, 300).map(i -> 2 + r.nextInt(500)).toArray();
        Path script = PythonScript.copy(dir, "transformers_logprobs.py");
        List<String> cmd = new ArrayList<>(List.of(python, script.toString(),
                Arrays.stream(prompt).mapToObj(String::valueOf).collect(Collectors.joining(","))));
        List<Path> files = new ArrayList<>();
        for (Case c : CASES) {
            Path file = dir.resolve("g4-" + c.type() + "-" + c.arch() + "-" + c.headDim() + (c.yarn() ? "-yarn" : "") + ".gguf");
            if (!Files.exists(file)) {
                Path plain = c.yarn() ? dir.resolve("plain-" + file.getFileName()) : file;
                RandomModelWriter.write(new RandomModelSpec(2, 1024, 16, 4, 1024, 512, 2048, 10000f, c.type(), true, 42)
                        .as(c.arch(), c.headDim(), false, c.experts()), plain);
                if (c.yarn()) {
                    String p = c.arch().ggufName() + ".rope.scaling.";
                    GgufCopy.write(plain, file, Map.of(p + "type", GgufValue.ofString("yarn"), p + "factor", GgufValue.ofFloat32(YARN_FACTOR),
                            p + "original_context_length", GgufValue.ofUint32(YARN_ORIGINAL)), Map.of());
                }
            }
            files.add(file);
            if (c.int8Input()) {
                cmd.add("--int8-input");
            }
            cmd.addAll(c.config());
            cmd.add(file.toString());
        }
        NodeLlamaCpp.Result result = NodeLlamaCpp.run(dir, 900, cmd.toArray(String[]::new));
        assertThat(result.code()).as(result.output()).isZero();
        List<String> lines = result.output().lines().filter(l -> l.startsWith("OUT ")).toList();
        assertThat(lines).hasSize(CASES.size());

        for (int f = 0; f < CASES.size(); f++) {
            Case c = CASES.get(f);
            double[] theirs = Arrays.stream(lines.get(f).substring(4).split(",")).mapToDouble(Double::parseDouble).toArray();
            double[] ours = logprobs(files.get(f), c.layout(), prompt);
            assertThat(ours).hasSameSizeAs(theirs);
            for (int p = 0; p < ours.length; p++) {
                assertThat(ours[p]).as("%s, token %d", c, p + 1).isCloseTo(theirs[p], org.assertj.core.api.Assertions.within(c.tolerance()));
            }
        }
    }

    /** The log-probability of each token after the ones before it, from Tangram's forward pass (prompt scoring). */
    private static double[] logprobs(Path file, WeightLayout layout, int[] prompt) throws Exception {
        try (LoadedModel m = ModelLoader.load(file, 2, ReadAheadSetting.AUTO, layout)) {
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
