package dev.tangram.inference.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.tangram.inference.gguf.GgmlType;
import dev.tangram.inference.gguf.GgufFile;
import dev.tangram.inference.gguf.GgufFormatException;
import dev.tangram.inference.gguf.GgufValue;
import dev.tangram.inference.kernels.LaneGroupMatrix;
import dev.tangram.inference.kernels.MatmulKernel;
import dev.tangram.inference.kernels.Q4Activations;
import dev.tangram.inference.kernels.ReadAheadSetting;
import dev.tangram.inference.kernels.WeightLayout;
import dev.tangram.inference.kernels.WorkerPool;
import dev.tangram.inference.randommodel.QuantMix;
import dev.tangram.inference.randommodel.RandomModelSpec;
import dev.tangram.inference.randommodel.RandomModelWriter;
import dev.tangram.inference.sampling.Sampler;
import dev.tangram.inference.sampling.TokenLogprobs;
import dev.tangram.inference.testing.GgufCopy;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

class LlamaForwardPassTest {
    private static final int[] PROMPT = {5, 300, 17, 99, 256, 400, 3, 511, 42, 128, 7};

    @TempDir
    Path dir;

    private Path model(GgmlType type, boolean tied) throws IOException {
        RandomModelSpec t = RandomModelSpec.tiny(type);
        Path file = dir.resolve(type + (tied ? "" : "-untied") + ".gguf");
        RandomModelWriter.write(new RandomModelSpec(t.layers(), t.dim(), t.heads(), t.kvHeads(), t.ffn(), t.vocab(), t.contextLength(),
                t.ropeTheta(), type, tied, 7), file);
        return file;
    }

    /** The model of {@link #model} for a cache of {@code cacheType}: with heads of 32 for Q8_0 blocks, which need a multiple of 32. */
    private Path model(GgmlType type, KvCacheType cacheType) throws IOException {
        if (cacheType != KvCacheType.Q8_0) {
            return model(type, true);
        }
        Path file = dir.resolve(type + "-heads32.gguf");
        RandomModelWriter.write(RandomModelSpec.tiny(type).as(Architecture.LLAMA, 32, false), file);
        return file;
    }

    /** Tolerances on logits of order 1: float accumulation over the decoded weights (which the reference shares). */
    @ParameterizedTest
    @CsvSource({"F32, true, 2e-4, LANES, INT8", "F16, true, 2e-4, LANES, INT8", "BF16, true, 2e-4, LANES, INT8",
            "Q8_0, true, 5e-4, LANES, INT8", "Q4_0, false, 5e-4, LANES, INT8", "Q4_0, false, 5e-4, LANES, FLOAT", "Q8_0, true, 5e-4, ROWS, INT8",
            "Q4_0, false, 5e-4, ROWS, INT8", "Q4_1, false, 5e-4, LANES, INT8", "Q5_0, true, 5e-4, LANES, INT8",
            "Q5_1, false, 5e-4, ROWS, INT8"})
    void logitsMatchADoublePrecisionReferenceForEveryTensorType(GgmlType type, boolean tied, double tolerance, WeightLayout layout,
            Q4Activations q4Activations) throws IOException {
        Path file = model(type, tied);
        try (LoadedModel m = ModelLoader.load(file, 2, ReadAheadSetting.AUTO, layout, q4Activations); GgufFile raw = GgufFile.open(file)) {
            boolean quantised = type == GgmlType.Q8_0 || type == GgmlType.Q4_0 || type == GgmlType.Q5_0;
            // the tiny shape's matrices all have whole groups of rows, so with lanes every quantised one is rearranged
            assertThat(m.layout()).startsWith(layout == WeightLayout.ROWS ? "rows" : quantised ? "lanes: " + (tied ? 15 : 16) + " of" : "lanes: 0 of");
            // the load line says which Q5_0 matrices took Q8_0's room: all of them, the tied embedding once
            assertThat(m.layout().contains(", 15 Q5_0 widened to Q8_0")).isEqualTo(type == GgmlType.Q5_0 && layout == WeightLayout.LANES);
            if (type == GgmlType.Q4_0 && layout == WeightLayout.LANES) {
                assertThat(m.layout()).contains("rearranged (").contains(", Q4_0 activations " + q4Activations + "; ");
            } else {
                assertThat(m.layout()).doesNotContain("Q4_0 activations");
            }
            // with rows in lanes, Q4_0 matrices multiply their input rounded to 8 bits per block of 32 (Int8Activations),
            // unless told to multiply floats
            boolean rounded = layout == WeightLayout.LANES && q4Activations == Q4Activations.INT8;
            double[][] expected = new ReferenceLlama(raw, m.config(), rounded).logits(PROMPT);
            PagedKvCache cache = new PagedKvCache(m.config(), 8, 4);
            int[] table = {0, 1, 2};
            // the whole prompt as one prefill chunk
            float[] prefill = m.forwardPass().forward(List.of(new SequenceChunk(PROMPT, 0, table, true)), cache)[0];
            assertClose(prefill, expected[PROMPT.length - 1], tolerance, "prefill");
            // then token by token in a fresh cache
            PagedKvCache fresh = new PagedKvCache(m.config(), 8, 4);
            for (int p = 0; p < PROMPT.length; p++) {
                float[] step = m.forwardPass().forward(List.of(new SequenceChunk(new int[] {PROMPT[p]}, p, table, true)), fresh)[0];
                assertClose(step, expected[p], tolerance, "decode position " + p);
            }
            assertThat(m.weightBytes()).isEqualTo(m.forwardPass().weightBytes()).isPositive();
        }
    }

    @Test
    void scoredChunksGiveEachNextTokensLogprobAsTheReferenceDoes() throws IOException {
        Path file = model(GgmlType.Q8_0, true);
        try (LoadedModel m = ModelLoader.load(file, 2); GgufFile raw = GgufFile.open(file)) {
            // the default layout is auto: a tiny model's copy fits beside any test JVM's heap, so it is rearranged
            assertThat(m.layout()).startsWith("lanes: 15 of 15 matrices rearranged").contains("; auto: ");
            double[][] expected = new ReferenceLlama(raw, m.config()).logits(PROMPT);
            PagedKvCache cache = new PagedKvCache(m.config(), 8, 4);
            int[] table = {0, 1, 2};
            // the prompt in two chunks (as chunked prefill sends it): the first knows the token after it, the last does not
            int split = 7;
            TokenScoring first = new TokenScoring(3, PROMPT[split], new TokenLogprobs[split]);
            TokenScoring second = new TokenScoring(3, -1, new TokenLogprobs[PROMPT.length - split]);
            m.forwardPass().forward(List.of(new SequenceChunk(java.util.Arrays.copyOf(PROMPT, split), 0, table, false, first)), cache);
            float[] last = m.forwardPass().forward(List.of(new SequenceChunk(java.util.Arrays.copyOfRange(PROMPT, split, PROMPT.length), split,
                    table, true, second)), cache)[0];
            assertClose(last, expected[PROMPT.length - 1], 5e-4, "the last chunk's logits, as without scoring");
            assertThat(second.out()[second.out().length - 1]).isNull();
            for (int p = 0; p + 1 < PROMPT.length; p++) {
                TokenLogprobs got = p < split ? first.out()[p] : second.out()[p - split];
                double[] logSoftmax = logSoftmax(expected[p]);
                assertThat(got.token()).isEqualTo(PROMPT[p + 1]);
                assertThat((double) got.logprob()).as("position " + p).isCloseTo(logSoftmax[PROMPT[p + 1]], within(1e-3));
                assertThat(got.top()).hasSize(3);
                assertThat((double) got.topLogprobs()[0]).isCloseTo(java.util.Arrays.stream(logSoftmax).max().orElseThrow(), within(1e-3));
            }
        }
    }

    private static double[] logSoftmax(double[] logits) {
        double max = java.util.Arrays.stream(logits).max().orElseThrow();
        double sum = java.util.Arrays.stream(logits).map(l -> Math.exp(l - max)).sum();
        return java.util.Arrays.stream(logits).map(l -> l - max - Math.log(sum)).toArray();
    }

    /**
     * Each architecture's differences (written out in the reference as llama.cpp's graphs apply them) in a Q8_0 model in
     * lanes: Qwen2 with its Q/K/V biases and an output bias, Qwen3 with per-head Q/K norms and heads of 32 over a width of
     * 64, Granite's multipliers, Llama with all seven biases of a block; as prefill and token by token.
     */
    @ParameterizedTest
    @CsvSource({"QWEN2, 16, true", "QWEN3, 32, false", "GRANITE, 16, false", "LLAMA, 16, true", "GEMMA3, 32, false", "GEMMA2, 32, false", "PHI3, 16, false",
        "OLMO2, 16, false", "GLM4, 16, false", "GLM4, 32, false", "EXAONE4, 16, false"})
    void eachArchitectureMatchesTheReferenceAsPrefillAndAsDecode(Architecture arch, int headDim, boolean biases) throws IOException {
        Path file = dir.resolve(arch + ".gguf");
        RandomModelWriter.write(RandomModelSpec.tiny(GgmlType.Q8_0).as(arch, headDim, biases), file);
        try (LoadedModel m = ModelLoader.load(file, 2); GgufFile raw = GgufFile.open(file)) {
            assertThat(m.config().architecture()).isEqualTo(arch);
            assertThat(m.config().headDim()).isEqualTo(headDim);
            assertDecodesAsTheReference(m, new ReferenceLlama(raw, m.config()), 5e-4);
            LlamaWeights.Layer first = m.weights().layers()[0];
            assertThat(first.biases().q() != null).isEqualTo(arch == Architecture.QWEN2 || arch == Architecture.GLM4 || biases);
            assertThat(first.biases().down() != null).isEqualTo(arch == Architecture.LLAMA && biases);
            assertThat(first.qNorm() != null).isEqualTo(arch.qkNorm());
            assertThat(first.postAttnNorm() != null).isEqualTo(arch.postNorms());
            assertThat(first.attnNorm() == null).isEqualTo(!arch.preNorms());
        }
    }

    /**
     * Gemma 3's (and Gemma 2's) sliding-window layers kept in a pool of their own, as the scheduler keeps them: a window table holding only
     * the blocks each chunk's windows reach (-1 before them), its eight blocks reused round and round as the window moves
     * on. Every chunk's logits are those of one pool, bit for bit: prefill chunks of 12 (which read a widened history
     * over halves) and then token by token.
     */
    @ParameterizedTest
    @CsvSource({"GEMMA3, F32", "GEMMA3, F16", "GEMMA2, F16"})
    void slidingWindowLayersInAPoolOfTheirOwnComputeWhatOnePoolDoes(Architecture arch, KvCacheType type) throws IOException {
        Path file = dir.resolve(arch + "-window.gguf");
        RandomModelWriter.write(RandomModelSpec.tiny(GgmlType.Q8_0).as(arch, 32, false), file);
        try (LoadedModel m = ModelLoader.load(file, 2)) {
            LlamaConfig c = m.config();
            int window = c.window().size();
            assertThat(window).isEqualTo(8);
            assertThat(c.window().isLocal(0)).isTrue();
            assertThat(c.window().isLocal(1)).isFalse();
            int[] tokens = new java.util.Random(9).ints(40, 0, c.vocabSize()).toArray();
            int[] table = IntStream.range(0, 16).toArray();
            PagedKvCache one = new PagedKvCache(c, 16, 4, type);
            PagedKvCache apart = new PagedKvCache(c, 16, 8, 4, type);
            assertThat(apart.windowed(0)).isTrue();
            assertThat(apart.windowed(1)).isFalse();
            for (int pos = 0; pos < tokens.length; ) {
                int n = pos < 33 ? Math.min(12, 33 - pos) : 1;
                int[] chunk = Arrays.copyOfRange(tokens, pos, pos + n);
                int[] windowTable = new int[16];
                Arrays.fill(windowTable, -1);
                for (int b = Math.max(0, pos - window + 1) / 4; b < (pos + n + 3) / 4; b++) {
                    windowTable[b] = b % 8;
                }
                float[] expected = m.forwardPass().forward(List.of(new SequenceChunk(chunk, pos, table, true)), one)[0];
                float[] got = m.forwardPass().forward(List.of(new SequenceChunk(chunk, pos, table, true, null, windowTable)), apart)[0];
                assertThat(got).as("the chunk at %d", pos).containsExactly(expected);
                pos += n;
            }
            // a window table is needed, and must name a block for every position a window reaches
            int[] next = {tokens[0]};
            assertThatThrownBy(() -> m.forwardPass().forward(List.of(new SequenceChunk(next, 40, table, true)), apart))
                    .hasMessageContaining("needs a window table of 11 blocks");
            int[] holes = new int[16];
            Arrays.fill(holes, -1);
            holes[10] = 2;
            assertThatThrownBy(() -> m.forwardPass().forward(List.of(new SequenceChunk(next, 40, table, true, null, holes)), apart))
                    .hasMessageContaining("names window block -1 for its block 8, the window pool has 8");
        }
    }

    /**
     * Mixtures of experts against the reference, as prefill and token by token: Qwen3-MoE in Q8_0 with its experts in
     * lanes and in rows, Granite MoE in Q8_0, Mixtral-style Llama in F32, and Qwen3-MoE in the Q4_K_M mix (each expert a
     * K-quant view of its slice of the 3-D tensor, the down projections in Q6_K where the mix promotes them). The prompt's
     * eleven tokens spread over the eight experts, so prefill takes some experts' tokens together.
     */
    @ParameterizedTest
    @CsvSource({"QWEN3MOE, Q8_0, LANES", "QWEN3MOE, Q8_0, ROWS", "GRANITEMOE, Q8_0, LANES", "LLAMA, F32, LANES", "QWEN3MOE, Q4_K_M, LANES"})
    void mixturesOfExpertsMatchTheReferenceAsPrefillAndAsDecode(Architecture arch, String quant, WeightLayout layout) throws IOException {
        QuantMix mix = QuantMix.parse(quant);
        Path file = dir.resolve(arch + "-" + quant + ".gguf");
        boolean k = quant.startsWith("Q4_K");
        RandomModelSpec base = k ? new RandomModelSpec(2, 256, 4, 4, 512, 512, 2048, 10000f, mix.base(), true, 13)
                : RandomModelSpec.tiny(mix.base());
        int expertFfn = arch == Architecture.QWEN3MOE ? (k ? 256 : 64) : base.ffn();
        RandomModelWriter.write(base.as(arch, base.headDim(), false, new Experts(8, 3, expertFfn)), mix, file);
        try (LoadedModel m = ModelLoader.load(file, 2, ReadAheadSetting.AUTO, layout, Q4Activations.INT8); GgufFile raw = GgufFile.open(file)) {
            LlamaWeights.Layer first = m.weights().layers()[0];
            assertThat(first.wGate()).isNull();
            assertThat(first.experts().gate()).hasSize(8);
            assertThat(first.experts().down()[7].rows()).isEqualTo(base.dim());
            assertThat(m.config().ffnWidth()).isEqualTo(expertFfn);
            // a token's step reads three of the eight experts of each block
            long perExpert = first.experts().gate()[0].bytes() + first.experts().up()[0].bytes() + first.experts().down()[0].bytes();
            assertThat(m.weights().bytesPerToken(8)).isEqualTo(m.weights().bytes());
            if (!k) { // the Q4_K_M mix promotes some blocks' down experts, so their sizes differ
                assertThat(m.weights().bytes() - m.weights().bytesPerToken(3)).isEqualTo(2 * 5 * perExpert);
            }
            boolean lanes = layout == WeightLayout.LANES && mix.base() != GgmlType.F32;
            assertThat(first.experts().up()[3] instanceof LaneGroupMatrix).as("an expert in lanes").isEqualTo(lanes);
            assertDecodesAsTheReference(m, new ReferenceLlama(raw, m.config(), lanes), 5e-4);
        }
    }

    /** Greedy tokens of a batch equal each sequence's alone through a mixture of experts too, experts taking several sequences' tokens. */
    @Test
    void aBatchThroughAMixtureOfExpertsGivesTheSameGreedyTokensAsEachSequenceAlone() throws IOException {
        Path file = dir.resolve("moe-batch.gguf");
        RandomModelSpec tiny = RandomModelSpec.tiny(GgmlType.Q8_0);
        RandomModelWriter.write(tiny.as(Architecture.QWEN3MOE, 16, false, new Experts(8, 2, 64)), file);
        try (LoadedModel m = ModelLoader.load(file, 2)) {
            int[][] prompts = {{1, 2, 3}, {300, 301, 302, 303, 304, 305, 306}, {42}, {7, 8, 9, 10, 11}, {500, 9}, {77, 78, 79, 80}};
            List<List<Integer>> alone = new ArrayList<>();
            for (int[] prompt : prompts) {
                alone.add(generate(m, List.of(prompt), 12, KvCacheType.F32).getFirst());
            }
            assertThat(generate(m, List.of(prompts), 12, KvCacheType.F32)).isEqualTo(alone);
        }
    }

    /**
     * RoPE with linear scaling (no generated file carries it; the config is built by hand, as the reader would make it from
     * {@code rope.scaling.factor} 4): positions a quarter apart, in the forward pass as in the reference, and not the
     * unscaled logits.
     */
    @Test
    void linearRopeScalingMatchesTheReference() throws IOException {
        Path file = model(GgmlType.F32, true);
        try (GgufFile raw = GgufFile.open(file); WorkerPool pool = new WorkerPool(2)) {
            LlamaConfig read = ModelLoader.config(raw);
            LlamaConfig scaled = new LlamaConfig(read.layers(), read.dim(), read.heads(), read.kvHeads(), read.headDim(), read.ffnDim(),
                    read.vocabSize(), read.contextLength(), read.ropeTheta(), read.rmsEps(), Architecture.LLAMA, 0.25f, DecoderScales.NONE);
            ForwardPass forward = new LlamaForwardPass(scaled, LlamaWeights.of(raw, scaled), new MatmulKernel(pool, Q4Activations.INT8));
            double[][] expected = new ReferenceLlama(raw, scaled).logits(PROMPT);
            double[][] unscaled = new ReferenceLlama(raw, read).logits(PROMPT);
            float[] last = forward.forward(List.of(new SequenceChunk(PROMPT, 0, new int[] {0, 1, 2}, true)), new PagedKvCache(scaled, 8, 4))[0];
            assertClose(last, expected[PROMPT.length - 1], 2e-4, "prefill with positions scaled by 1/4");
            double apart = IntStream.range(0, last.length).mapToDouble(i -> Math.abs(expected[PROMPT.length - 1][i] - unscaled[PROMPT.length - 1][i]))
                    .max().orElseThrow();
            assertThat(apart).as("scaling moves the logits").isGreaterThan(1e-2);
        }
    }

    /**
     * YaRN (Qwen3 files extended past their training context carry it; no generated one does, so the keys are added to a
     * copy): a context of 64 extended by 4, over heads of 16, where pairs 0 to 3 ramp from the original frequency to the
     * scaled one; and on a Gemma 3 model, whose local layers are not scaled and take only the attention factor. The forward
     * pass matches the reference, which is neither linear scaling nor YaRN without its growth of the rotated values.
     */
    @ParameterizedTest
    @EnumSource(value = Architecture.class, names = {"QWEN3", "GEMMA3"})
    void yarnMatchesTheReference(Architecture arch) throws IOException {
        Path plain = dir.resolve(arch + "-plain.gguf");
        RandomModelWriter.write(RandomModelSpec.tiny(GgmlType.F32).as(arch, 16, false), plain);
        Path file = dir.resolve(arch + "-yarn.gguf");
        String p = arch.ggufName() + ".rope.scaling.";
        GgufCopy.write(plain, file, Map.of(p + "type", GgufValue.ofString("yarn"), p + "factor", GgufValue.ofFloat32(4),
                p + "original_context_length", GgufValue.ofUint32(64), p + "attn_factor", GgufValue.ofFloat32(0.9f)), Map.of());
        int[] prompt = IntStream.range(0, 40).map(i -> (PROMPT[i % PROMPT.length] + i) % 500).toArray();
        try (LoadedModel m = ModelLoader.load(file, 2); GgufFile raw = GgufFile.open(file)) {
            LlamaConfig c = m.config();
            assertThat(c.rope().yarn().present()).isTrue();
            double[] expected = new ReferenceLlama(raw, c).logits(prompt)[prompt.length - 1];
            float[] last = m.forwardPass().forward(List.of(new SequenceChunk(prompt, 0, new int[] {0, 1, 2, 3, 4, 5, 6, 7}, true)),
                    new PagedKvCache(c, 8, 8))[0];
            assertClose(last, expected, 2e-4, "prefill with YaRN");
            LlamaConfig linear = withRope(c, new RopeScaling(c.ropeScale(), 0.9f, RopeScaling.Yarn.NONE));
            LlamaConfig flat = withRope(c, new RopeScaling(c.ropeScale(), 0.9f / (float) (1 + 0.1 * Math.log(4)), c.rope().yarn()));
            for (LlamaConfig other : List.of(linear, flat)) {
                double[] otherLogits = new ReferenceLlama(raw, other).logits(prompt)[prompt.length - 1];
                double apart = IntStream.range(0, last.length).mapToDouble(i -> Math.abs(expected[i] - otherLogits[i])).max().orElseThrow();
                assertThat(apart).as("YaRN against %s", other.rope()).isGreaterThan(1e-2);
            }
        }
    }

    private static LlamaConfig withRope(LlamaConfig c, RopeScaling rope) {
        return new LlamaConfig(c.layers(), c.dim(), c.heads(), c.kvHeads(), c.headDim(), c.ffnDim(), c.vocabSize(), c.contextLength(),
                c.ropeTheta(), c.rmsEps(), c.architecture(), rope, c.scales(), c.window(), c.ropeDims(), c.longRope(), c.experts());
    }

    /**
     * OLMo 3's shape: OLMo 2's block with a window of 8 over three layers in four (a four-layer Q8_0 model, layer 3 global)
     * and YaRN on the global layer only (a factor of 4 over an original context of 64, added to a copy), against the
     * reference as prefill and token by token over prompts longer than the window.
     */
    @Test
    void anOlmo3ShapedModelSlidesItsWindowAndScalesItsGlobalLayerAsTheReferenceDoes() throws IOException {
        Path plain = dir.resolve("olmo3-plain.gguf");
        RandomModelWriter.write(new RandomModelSpec(4, 64, 4, 2, 128, 512, 2048, 10000f, GgmlType.Q8_0, false, 42)
                .as(Architecture.OLMO2, 16, false), QuantMix.uniform(GgmlType.Q8_0), 8, plain);
        Path file = dir.resolve("olmo3.gguf");
        GgufCopy.write(plain, file, Map.of("olmo2.rope.scaling.type", GgufValue.ofString("yarn"), "olmo2.rope.scaling.factor",
                GgufValue.ofFloat32(4), "olmo2.rope.scaling.original_context_length", GgufValue.ofUint32(64)), Map.of());
        try (LoadedModel m = ModelLoader.load(file, 2); GgufFile raw = GgufFile.open(file)) {
            LlamaConfig c = m.config();
            assertThat(c.window().size()).isEqualTo(8);
            assertThat(java.util.stream.IntStream.range(0, 4).filter(c.window()::isLocal).toArray()).containsExactly(0, 1, 2);
            assertThat(c.rope().yarn().present()).isTrue();
            assertDecodesAsTheReference(m, new ReferenceLlama(raw, c), 5e-4);
        }
    }

    /**
     * Ministral 3's shape (a {@code mistral3} Q8_0 model in lanes, the keys added to a copy): YaRN with its own rotation
     * bounds and a log multiplier of 0.5, and the query temperature stepping every 4 positions, so that the 11-token
     * prompt's queries take three scales; against the reference as prefill and token by token.
     */
    @Test
    void aMinistral3ShapedModelTunesItsQueriesAndScalesRopeAsTheReferenceDoes() throws IOException {
        Path plain = dir.resolve("mistral3-plain.gguf");
        RandomModelWriter.write(RandomModelSpec.tiny(GgmlType.Q8_0).as(Architecture.MISTRAL3, 16, false), plain);
        Path file = dir.resolve("mistral3.gguf");
        GgufCopy.write(plain, file, Map.of("mistral3.rope.scaling.type", GgufValue.ofString("yarn"), "mistral3.rope.scaling.factor",
                GgufValue.ofFloat32(4), "mistral3.rope.scaling.original_context_length", GgufValue.ofUint32(4),
                "mistral3.rope.scaling.yarn_beta_fast", GgufValue.ofFloat32(2), "mistral3.rope.scaling.yarn_beta_slow", GgufValue.ofFloat32(0.25f),
                "mistral3.rope.scaling.yarn_log_multiplier", GgufValue.ofFloat32(0.5f), "mistral3.attention.temperature_scale",
                GgufValue.ofFloat32(0.3f)), Map.of());
        try (LoadedModel m = ModelLoader.load(file, 2); GgufFile raw = GgufFile.open(file)) {
            assertThat(m.config().scales().queryTemperature()).isEqualTo(0.3f);
            assertDecodesAsTheReference(m, new ReferenceLlama(raw, m.config()), 5e-4);
        }
    }

    /**
     * EXAONE 4.0 32B's shape: 64 layers (where llama.cpp gives an {@code exaone4} model its window), a window of 8 over three
     * layers in four, the global layers without RoPE; Q8_0 in lanes against the reference as prefill and token by token
     * over the 11-token prompt, which passes the window.
     */
    @Test
    void anExaone4WithSixtyFourLayersSlidesAndLeavesItsGlobalLayersWithoutRope() throws IOException {
        Path file = dir.resolve("exaone4-64.gguf");
        RandomModelWriter.write(new RandomModelSpec(64, 64, 4, 2, 128, 512, 2048, 10000f, GgmlType.Q8_0, true, 42)
                .as(Architecture.EXAONE4, 16, false), QuantMix.uniform(GgmlType.Q8_0), 8, file);
        try (LoadedModel m = ModelLoader.load(file, 2); GgufFile raw = GgufFile.open(file)) {
            LlamaConfig c = m.config();
            assertThat(c.window().size()).isEqualTo(8);
            assertThat(c.rotates(2)).isTrue();
            assertThat(c.rotates(3)).isFalse();
            assertDecodesAsTheReference(m, new ReferenceLlama(raw, c), 5e-4);
        }
    }

    /**
     * SmolLM3's layers without RoPE (the last of each four): a four-layer Q8_0 model in lanes against the reference, as
     * prefill and token by token; its logits are not those of the same weights read as {@code llama}, which rotates in
     * every layer.
     */
    @Test
    void smolLm3LeavesEveryFourthLayerWithoutRopeAsTheReferenceDoes() throws IOException {
        Path file = dir.resolve("smollm3.gguf");
        RandomModelWriter.write(new RandomModelSpec(4, 64, 4, 2, 128, 512, 2048, 10000f, GgmlType.Q8_0, true, 42)
                .as(Architecture.SMOLLM3, 16, false), file);
        try (LoadedModel m = ModelLoader.load(file, 2); GgufFile raw = GgufFile.open(file)) {
            LlamaConfig c = m.config();
            assertThat(c.architecture()).isEqualTo(Architecture.SMOLLM3);
            assertDecodesAsTheReference(m, new ReferenceLlama(raw, c), 5e-4);
            LlamaConfig llama = new LlamaConfig(c.layers(), c.dim(), c.heads(), c.kvHeads(), c.headDim(), c.ffnDim(), c.vocabSize(),
                    c.contextLength(), c.ropeTheta(), c.rmsEps(), Architecture.LLAMA, c.rope(), c.scales(), c.window(), c.ropeDims(),
                    c.longRope(), c.experts());
            double[] smol = new ReferenceLlama(raw, c).logits(PROMPT)[PROMPT.length - 1];
            double[] rotated = new ReferenceLlama(raw, llama).logits(PROMPT)[PROMPT.length - 1];
            double apart = IntStream.range(0, smol.length).mapToDouble(i -> Math.abs(smol[i] - rotated[i])).max().orElseThrow();
            assertThat(apart).as("the NoPE layer moves the logits").isGreaterThan(1e-2);
        }
    }

    /**
     * Gemma's soft cap on the logits (Gemma 3 files may carry {@code final_logit_softcapping}; no generated one does, so the
     * config is built by hand): cap·tanh(logit/cap) in the forward pass as in the reference, and not the uncapped logits.
     */
    @Test
    void aLogitCapMatchesTheReference() throws IOException {
        Path file = dir.resolve("gemma3-cap.gguf");
        RandomModelWriter.write(RandomModelSpec.tiny(GgmlType.F32).as(Architecture.GEMMA3, 32, false), file);
        try (GgufFile raw = GgufFile.open(file); WorkerPool pool = new WorkerPool(2)) {
            LlamaConfig read = ModelLoader.config(raw);
            DecoderScales s = read.scales();
            double[] uncapped = new ReferenceLlama(raw, read).logits(PROMPT)[PROMPT.length - 1];
            float cap = (float) (Arrays.stream(uncapped).map(Math::abs).max().orElseThrow() / 2); // the largest half capped
            LlamaConfig capped = new LlamaConfig(read.layers(), read.dim(), read.heads(), read.kvHeads(), read.headDim(), read.ffnDim(),
                    read.vocabSize(), read.contextLength(), read.ropeTheta(), read.rmsEps(), Architecture.GEMMA3, 1f,
                    new DecoderScales(s.embedding(), s.residual(), s.attention(), s.logit(), cap, 0), read.window());
            ForwardPass forward = new LlamaForwardPass(capped, LlamaWeights.of(raw, capped), new MatmulKernel(pool, Q4Activations.INT8));
            double[][] expected = new ReferenceLlama(raw, capped).logits(PROMPT);
            float[] last = forward.forward(List.of(new SequenceChunk(PROMPT, 0, new int[] {0, 1, 2}, true)), new PagedKvCache(capped, 8, 4))[0];
            assertClose(last, expected[PROMPT.length - 1], 2e-4, "prefill with the logits capped");
            for (float logit : last) {
                assertThat(Math.abs(logit)).isLessThan(cap);
            }
        }
    }

    /** A model file with a tensor its architecture does not use is refused naming it, as llama.cpp refuses it. */
    @Test
    void tensorsTheArchitectureDoesNotUseAreRefusedByName() throws IOException {
        Path file = dir.resolve("qwen3.gguf");
        RandomModelWriter.write(RandomModelSpec.tiny(GgmlType.F32).as(Architecture.QWEN3, 16, false), file);
        try (GgufFile raw = GgufFile.open(file)) {
            LlamaConfig qwen3 = ModelLoader.config(raw);
            LlamaConfig asLlama = new LlamaConfig(qwen3.layers(), qwen3.dim(), qwen3.heads(), qwen3.kvHeads(), qwen3.headDim(), qwen3.ffnDim(),
                    qwen3.vocabSize(), qwen3.contextLength(), qwen3.ropeTheta(), qwen3.rmsEps());
            assertThatThrownBy(() -> LlamaWeights.of(raw, asLlama)).isInstanceOf(GgufFormatException.class)
                    .hasMessageContaining("4 tensor(s) that Tangram's llama decoder does not use")
                    .hasMessageContaining("blk.0.attn_k_norm.weight, blk.0.attn_q_norm.weight, blk.1.attn_k_norm.weight");
            assertThat(LlamaWeights.of(raw, qwen3).layers()[1].kNorm()).hasSize(16);
        }
        // a mixture's experts take no FFN biases, as llama.cpp's graphs take none
        Path moe = dir.resolve("mixtral.gguf");
        RandomModelSpec tiny = RandomModelSpec.tiny(GgmlType.F32);
        RandomModelWriter.write(tiny.as(Architecture.LLAMA, 16, false, new Experts(4, 2, tiny.ffn())), moe);
        Path biased = dir.resolve("mixtral-biased.gguf");
        dev.tangram.inference.testing.GgufCopy.write(moe, biased, java.util.Map.of(), java.util.Map.of("blk.0.ffn_down.bias", new float[64]));
        try (GgufFile raw = GgufFile.open(biased)) {
            assertThatThrownBy(() -> LlamaWeights.of(raw, ModelLoader.config(raw))).isInstanceOf(GgufFormatException.class)
                    .hasMessageContaining("1 tensor(s) that Tangram's llama decoder does not use").hasMessageContaining("blk.0.ffn_down.bias");
        }
    }

    /**
     * K-quants come in super-blocks of 256, so their model is 256 wide (the tiny preset is 64): one layer, 4 heads. Their
     * matrices are rearranged into lanes and multiply their input rounded to 8 bits, one token in short lanes and the
     * prompt as floats in the register tiles.
     */
    @ParameterizedTest
    @CsvSource({"Q4_K, true", "Q5_K, false", "Q6_K, true"})
    void kQuantModelsMatchTheReferenceAsPrefillAndAsDecode(GgmlType type, boolean tied) throws IOException {
        Path file = dir.resolve(type + ".gguf");
        RandomModelWriter.write(new RandomModelSpec(1, 256, 4, 4, 512, 512, 2048, 10000f, type, tied, 9), file);
        try (LoadedModel m = ModelLoader.load(file, 2); GgufFile raw = GgufFile.open(file)) {
            // one layer's seven matrices and the embedding (the output too where untied)
            assertThat(m.layout()).startsWith("lanes: " + (tied ? 8 : 9) + " of");
            double[][] expected = new ReferenceLlama(raw, m.config(), true).logits(PROMPT);
            PagedKvCache cache = new PagedKvCache(m.config(), 8, 4);
            int[] table = {0, 1, 2};
            float[] prefill = m.forwardPass().forward(List.of(new SequenceChunk(PROMPT, 0, table, true)), cache)[0];
            assertClose(prefill, expected[PROMPT.length - 1], 5e-4, "prefill");
            PagedKvCache fresh = new PagedKvCache(m.config(), 8, 4);
            for (int p = 0; p < PROMPT.length; p++) {
                float[] step = m.forwardPass().forward(List.of(new SequenceChunk(new int[] {PROMPT[p]}, p, table, true)), fresh)[0];
                assertClose(step, expected[p], 5e-4, "decode position " + p);
            }
        }
    }

    /**
     * A Q4_K_M model (Q4_K, with the tied output and layer 1's attn_v and ffn_down in Q6_K): both lane types in one
     * forward pass, Q4_K and Q6_K matrices side by side in the attention's and the FFN's parallel regions.
     */
    @Test
    void q4kmMixMatchesTheReferenceAsPrefillAndAsDecode() throws IOException {
        Path file = dir.resolve("q4km.gguf");
        RandomModelWriter.write(new RandomModelSpec(2, 256, 4, 4, 512, 512, 2048, 10000f, GgmlType.Q4_K, true, 11), QuantMix.Q4_K_M, file);
        try (LoadedModel m = ModelLoader.load(file, 2); GgufFile raw = GgufFile.open(file)) {
            assertThat(m.layout()).startsWith("lanes: 15 of 15").contains("Q4_K/Q6_K activations int8");
            double[][] expected = new ReferenceLlama(raw, m.config(), true).logits(PROMPT);
            PagedKvCache cache = new PagedKvCache(m.config(), 8, 4);
            int[] table = {0, 1, 2};
            assertClose(m.forwardPass().forward(List.of(new SequenceChunk(PROMPT, 0, table, true)), cache)[0], expected[PROMPT.length - 1],
                    5e-4, "prefill");
            PagedKvCache fresh = new PagedKvCache(m.config(), 8, 4);
            for (int p = 0; p < PROMPT.length; p++) {
                float[] step = m.forwardPass().forward(List.of(new SequenceChunk(new int[] {PROMPT[p]}, p, table, true)), fresh)[0];
                assertClose(step, expected[p], 5e-4, "decode position " + p);
            }
        }
    }

    /**
     * Q4_0 too: with rows in lanes its matrices round their input to 8 bits, a decode step's tokens in short lanes (where
     * the vector width takes them), prefill as floats. Six sequences: their decode steps are one padded octet through
     * Q8_0 where the machine takes octets, and a tile of four and one of two otherwise.
     */
    @ParameterizedTest
    @CsvSource({"Q8_0, F32", "Q4_0, F32", "Q8_0, F16", "Q8_0, Q8_0"})
    void batchOfSequencesGivesTheSameGreedyTokensAsEachSequenceAlone(GgmlType type, KvCacheType cacheType) throws IOException {
        try (LoadedModel m = ModelLoader.load(model(type, cacheType), 2)) {
            int[][] prompts = {{1, 2, 3}, {300, 301, 302, 303, 304, 305, 306}, {42}, {7, 8, 9, 10, 11}, {500, 9}, {77, 78, 79, 80}};
            int steps = 12;
            List<List<Integer>> alone = new ArrayList<>();
            for (int[] prompt : prompts) {
                alone.add(generate(m, List.of(prompt), steps, cacheType).getFirst());
            }
            List<List<Integer>> together = generate(m, List.of(prompts), steps, cacheType);
            assertThat(together).isEqualTo(alone);
        }
    }

    @Test
    void batchedLogitsEqualSingleSequenceLogits() throws IOException {
        try (LoadedModel m = ModelLoader.load(model(GgmlType.Q4_0, true), 2)) {
            PagedKvCache a = new PagedKvCache(m.config(), 16, 4);
            float[][] batch = m.forwardPass().forward(List.of(new SequenceChunk(new int[] {1, 2, 3, 4, 5}, 0, new int[] {0, 1}, true),
                    new SequenceChunk(new int[] {9, 8}, 0, new int[] {2}, true),
                    new SequenceChunk(new int[] {6, 6, 6}, 0, new int[] {3}, false)), a);
            assertThat(batch[2]).isNull();
            PagedKvCache b = new PagedKvCache(m.config(), 16, 4);
            float[] first = m.forwardPass().forward(List.of(new SequenceChunk(new int[] {1, 2, 3, 4, 5}, 0, new int[] {0, 1}, true)), b)[0];
            float[] second = m.forwardPass().forward(List.of(new SequenceChunk(new int[] {9, 8}, 0, new int[] {2}, true)), b)[0];
            assertClose(batch[0], toDouble(first), 1e-4, "sequence 0");
            assertClose(batch[1], toDouble(second), 1e-4, "sequence 1");
        }
    }

    @ParameterizedTest
    @EnumSource(KvCacheType.class)
    void scatteredBlockTablesGiveTheSameLogitsAsContiguousOnes(KvCacheType cacheType) throws IOException {
        try (LoadedModel m = ModelLoader.load(model(GgmlType.Q8_0, cacheType), 2)) {
            int[] prompt = IntStream.range(0, 10).map(i -> 20 + i * 13).toArray();
            float[] contiguous = run(m, prompt, new int[] {0, 1, 2}, cacheType);
            float[] scattered = run(m, prompt, new int[] {7, 2, 5}, cacheType);
            assertThat(scattered).containsExactly(contiguous);
        }
    }

    /**
     * A narrow cache against a reference that keeps each key and value as that cache does (the nearest half; through a
     * Q8_0 block, rotated first where the heads are a multiple of 64): as prefill and token by token, in a plain Llama model, Qwen2's K/V biases, Qwen3's Q/K norms, and
     * Gemma 3's sliding window and soft caps; and not what a cache of floats gives, so the narrow values are really what
     * attention read.
     */
    @ParameterizedTest
    @CsvSource({"F16, LLAMA, 16, false", "F16, QWEN2, 16, true", "F16, QWEN3, 32, false", "F16, GEMMA3, 32, false",
        "Q8_0, LLAMA, 32, false", "Q8_0, QWEN2, 32, true", "Q8_0, QWEN3, 64, false", "Q8_0, GEMMA3, 32, false", "Q8_0, LLAMA, 128, false",
        "Q8_0, GEMMA3, 64, false"})
    void aNarrowCacheMatchesAReferenceThatKeepsTheSameValues(KvCacheType cacheType, Architecture arch, int headDim, boolean biases)
            throws IOException {
        Path file = dir.resolve(arch + "-" + headDim + ".gguf");
        RandomModelWriter.write(RandomModelSpec.tiny(GgmlType.Q8_0).as(arch, headDim, biases), file);
        try (LoadedModel m = ModelLoader.load(file, 2); GgufFile raw = GgufFile.open(file)) {
            assertDecodesAsTheReference(m, new ReferenceLlama(raw, m.config()).withKv(cacheType), 5e-4, cacheType);
            int[] table = {0, 1, 2};
            float[] narrow = m.forwardPass().forward(List.of(new SequenceChunk(PROMPT, 0, table, true)),
                    new PagedKvCache(m.config(), 8, 4, cacheType))[0];
            float[] floats = m.forwardPass().forward(List.of(new SequenceChunk(PROMPT, 0, table, true)),
                    new PagedKvCache(m.config(), 8, 4, KvCacheType.F32))[0];
            assertThat(narrow).isNotEqualTo(floats);
        }
    }

    @Test
    void rejectsBlockTablesThatDoNotCoverTheChunkAndTokensOutsideTheVocabulary() throws IOException {
        try (LoadedModel m = ModelLoader.load(model(GgmlType.Q8_0, true), 1)) {
            PagedKvCache cache = new PagedKvCache(m.config(), 4, 4);
            assertThatThrownBy(() -> m.forwardPass().forward(List.of(new SequenceChunk(new int[] {1, 2, 3, 4, 5}, 0, new int[] {0}, true)), cache))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("needs 2 blocks");
            assertThatThrownBy(() -> m.forwardPass().forward(List.of(new SequenceChunk(new int[] {1}, 0, new int[] {9}, true)), cache))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("block 9");
            assertThatThrownBy(() -> m.forwardPass().forward(List.of(new SequenceChunk(new int[] {512}, 0, new int[] {0}, true)), cache))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("token 512");
        }
    }

    private static float[] run(LoadedModel m, int[] prompt, int[] table, KvCacheType cacheType) {
        PagedKvCache cache = new PagedKvCache(m.config(), 8, 4, cacheType);
        m.forwardPass().forward(List.of(new SequenceChunk(java.util.Arrays.copyOf(prompt, 6), 0, table, false)), cache);
        return m.forwardPass().forward(List.of(new SequenceChunk(java.util.Arrays.copyOfRange(prompt, 6, 10), 6, table, true)), cache)[0];
    }

    /** Greedy generation of several sequences in lockstep, all in one batch per step. */
    private static List<List<Integer>> generate(LoadedModel m, List<int[]> prompts, int steps, KvCacheType cacheType) {
        int n = prompts.size();
        PagedKvCache cache = new PagedKvCache(m.config(), 8 * n, 4, cacheType);
        int[][] tables = new int[n][];
        for (int i = 0; i < n; i++) {
            int seq = i;
            tables[i] = IntStream.range(0, 8).map(b -> b * n + seq).toArray();
        }
        List<List<Integer>> out = new ArrayList<>();
        List<SequenceChunk> chunks = new ArrayList<>();
        int[] length = new int[n];
        for (int i = 0; i < n; i++) {
            out.add(new ArrayList<>());
            chunks.add(new SequenceChunk(prompts.get(i), 0, tables[i], true));
            length[i] = prompts.get(i).length;
        }
        for (int s = 0; s < steps; s++) {
            float[][] logits = m.forwardPass().forward(chunks, cache);
            chunks = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int next = Sampler.argmax(logits[i]);
                out.get(i).add(next);
                chunks.add(new SequenceChunk(new int[] {next}, length[i]++, tables[i], true));
            }
        }
        return out;
    }

    private static double[] toDouble(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }

    /** The prompt's last logits as one prefill chunk, then every position's token by token in a fresh cache. */
    private static void assertDecodesAsTheReference(LoadedModel m, ReferenceLlama reference, double tolerance) {
        assertDecodesAsTheReference(m, reference, tolerance, KvCacheType.F32);
    }

    private static void assertDecodesAsTheReference(LoadedModel m, ReferenceLlama reference, double tolerance, KvCacheType cacheType) {
        double[][] expected = reference.logits(PROMPT);
        int[] table = {0, 1, 2};
        float[] prefill = m.forwardPass().forward(List.of(new SequenceChunk(PROMPT, 0, table, true)),
                new PagedKvCache(m.config(), 8, 4, cacheType))[0];
        assertClose(prefill, expected[PROMPT.length - 1], tolerance, "prefill");
        PagedKvCache fresh = new PagedKvCache(m.config(), 8, 4, cacheType);
        for (int p = 0; p < PROMPT.length; p++) {
            float[] step = m.forwardPass().forward(List.of(new SequenceChunk(new int[] {PROMPT[p]}, p, table, true)), fresh)[0];
            assertClose(step, expected[p], tolerance, "decode position " + p);
        }
    }

    private static void assertClose(float[] actual, double[] expected, double tolerance, String what) {
        assertThat(actual).hasSize(expected.length);
        double spread = 0;
        for (int i = 0; i < expected.length; i++) {
            assertThat((double) actual[i]).as(what + " logit " + i).isCloseTo(expected[i], within(tolerance * Math.max(1, Math.abs(expected[i]))));
            spread = Math.max(spread, Math.abs(expected[i]));
        }
        assertThat(spread).as(what + ": logits must not be degenerate").isGreaterThan(0.1);
    }
}
