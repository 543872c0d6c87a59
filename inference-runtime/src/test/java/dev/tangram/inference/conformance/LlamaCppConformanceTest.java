package dev.tangram.inference.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.tangram.core.json.Json;
import dev.tangram.inference.gguf.GgmlType;
import dev.tangram.inference.gguf.GgufFile;
import dev.tangram.inference.gguf.GgufValue;
import dev.tangram.inference.kernels.Q4Activations;
import dev.tangram.inference.kernels.ReadAheadSetting;
import dev.tangram.inference.kernels.WeightLayout;
import dev.tangram.inference.model.Architecture;
import dev.tangram.inference.model.Experts;
import dev.tangram.inference.model.LoadedModel;
import dev.tangram.inference.model.ModelLoader;
import dev.tangram.inference.model.KvCacheType;
import dev.tangram.inference.model.PagedKvCache;
import dev.tangram.inference.model.SequenceChunk;
import dev.tangram.inference.randommodel.QuantMix;
import dev.tangram.inference.randommodel.RandomModelSpec;
import dev.tangram.inference.randommodel.RandomModelWriter;
import dev.tangram.inference.sampling.Sampler;
import dev.tangram.inference.tokenizer.GgufTokenizerReader;
import dev.tangram.inference.tokenizer.TokenizerConformanceFixtures;
import dev.tangram.inference.tokenizer.VocabularyTokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

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
    /**
     * Greedy generation that also reports, per step, llama.cpp's five likeliest next tokens and their probabilities (the
     * softmax of its logits: temperature 1, no top-k, top-p or min-p), then feeds back the likeliest instead of the token it
     * drew (which may be an end-of-generation token: those are yielded too). A fifth argument names a cache type for both
     * keys and values (with flash attention, which llama.cpp's quantised caches need); without it the cache holds halves.
     */
    private static final String GENERATE = """
            import {getLlama} from "node-llama-cpp";
            const llama = await getLlama({build: "never", gpu: false, logLevel: "error"});
            const model = await llama.loadModel({modelPath: process.argv[2]});
            const kv = process.argv[5] ? {experimentalKvCacheKeyType: process.argv[5], experimentalKvCacheValueType: process.argv[5], flashAttention: true} : {};
            const context = await model.createContext({contextSize: 256, ...kv});
            const seq = context.getSequence();
            const gen = seq.evaluateWithMetadata(JSON.parse(process.argv[3]), {probabilities: true}, {temperature: 1, topK: 0, topP: 1, minP: 0, yieldEogToken: true});
            let r = await gen.next();
            for (let i = 0; i < Number(process.argv[4]) && !r.done; i++) {
              const top = [...r.value.probabilities.entries()].slice(0, 5);
              console.log("OUT " + top.map(([t, p]) => t + ":" + p).join(" "));
              r = await gen.next(top[0][0]);
            }
            """;

    /**
     * How far (relative) Tangram's probabilities may be from llama.cpp's for F32 and F16 models: llama.cpp multiplies F16
     * weights with F16 activations and sums in other orders, which moves the probabilities of these models by up to
     * ~0.4 % (seen in session 19, both caches in halves: 0.001–0.40 % over the generated model and every architecture;
     * with Tangram's cache in floats 0.002–0.44 %); a missing bias, norm or multiplier moves them by far more.
     */
    private static final double PROBABILITY_TOLERANCE = 1e-2;
    /**
     * The same for quantised models, where llama.cpp rounds the products' input to 8 bits (per 256 values for K-quants,
     * per 32 for Q4_1/Q5_0/Q5_1) and Tangram does not, or rounds per 32: seen 3–7 %. A wrong bit of the block layout (a
     * fifth bit, a nibble) moves them by far more.
     */
    private static final double QUANTISED_TOLERANCE = 0.15;
    /**
     * The same for both caches in Q8_0 blocks: llama.cpp rounds each query to a Q8_0 block as well (its dot product is
     * an integer one), and Tangram multiplies the query as floats: seen 0.99–2.60 % in session 20.
     */
    private static final double Q8_CACHE_TOLERANCE = 0.03;
    /** The prompt of the generation comparisons. */
    private static final int[] PROMPT = {5, 300, 17, 99, 256, 400, 3, 120, 42, 128, 7};
    /** How close (relative) llama.cpp's two likeliest tokens may be for Tangram to take the second. */
    private static final double NEAR_TIE = 1e-2;

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

    /**
     * Pre-tokenizers for which llama.cpp's tree carries no vocabulary with test vectors (GPT-4o's, Phi-4-mini's; from
     * session 24 Tekken's, Mistral NeMo's and Mistral Small 3's; Seed-Coder's; GLM-4's; EXAONE 4's): a
     * byte-level vocabulary learned from the texts themselves, whose merges cross the places where pre-tokenizers differ
     * (so that Llama 3's expression in place of GPT-4o's gives other tokens), under that {@code tokenizer.ggml.pre}.
     */
    @ParameterizedTest
    @ValueSource(strings = {"gpt-4o", "tekken", "seed-coder", "glm4", "exaone4"})
    void llamaCppTokenizesLikeTangramWithAPreTokenizerWithoutTestVectors(String pre) throws Exception {
        Path file = dir.resolve("texts-" + pre + ".gguf");
        TokenizerConformanceFixtures.writeByteLevel(file, pre, 700);
        compareTokenizers(file);
    }

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"F32", "F16"})
    void llamaCppGeneratesTheSameGreedyTokensFromAGeneratedModel(GgmlType type) throws Exception {
        Path file = dir.resolve("tiny-" + type + ".gguf");
        RandomModelWriter.write(RandomModelSpec.tiny(type), file);
        compareGeneration(file, PROBABILITY_TOLERANCE);
    }

    /**
     * K-quant models (256 wide: the super-block is 256 elements): llama.cpp decodes our Q4_K / Q5_K / Q6_K blocks with its
     * own code, so agreeing on the greedy tokens and probabilities checks the block layout end to end, not only against our
     * decoder.
     */
    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"Q4_K", "Q5_K", "Q6_K"})
    void llamaCppGeneratesTheSameGreedyTokensFromAKQuantModel(GgmlType type) throws Exception {
        Path file = dir.resolve("k-" + type + ".gguf");
        RandomModelWriter.write(new RandomModelSpec(2, 256, 4, 4, 512, 512, 2048, 10000f, type, true, 42), file);
        compareGeneration(file, QUANTISED_TOLERANCE);
    }

    /**
     * Q4_1, Q5_0 and Q5_1 (llama.cpp decodes our blocks with its own code), and the Q4_K_M and Q5_K_M mixes of a model
     * whose rows are 64 and 128 wide: every matrix takes llama.cpp's fallback (Q5_0 or Q5_1, and Q8_0 for Q6_K), as the
     * 896-wide matrices of Qwen2.5-0.5B's files do; and MXFP4 (gpt-oss's experts), every matrix in it.
     */
    @ParameterizedTest
    @ValueSource(strings = {"Q4_1", "Q5_0", "Q5_1", "Q4_K_M", "Q5_K_M", "MXFP4"})
    void llamaCppGeneratesTheSameGreedyTokensFromTheFallbackTypes(String quant) throws Exception {
        Path file = dir.resolve("tiny-" + quant + ".gguf");
        QuantMix mix = QuantMix.parse(quant);
        RandomModelWriter.write(RandomModelSpec.tiny(mix.base()), mix, file);
        compareGeneration(file, QUANTISED_TOLERANCE);
    }

    /**
     * The other architectures and the optional tensors (F32, so that only the decoder can differ): Qwen2 (RoPE over
     * halves, Q/K/V biases, and an output bias), Qwen3 (per-head Q/K norms before RoPE, heads of 32 over a width of 64, so
     * Q is wider than the model), Granite (its four multipliers), Llama with every optional bias of a block, and Gemma 3
     * (its block, and a sliding window of 8 over its first layer, which the 19 positions pass), Gemma 2 (the same block
     * without Q/K norms, the window over layer 0, its scores and logits soft-capped low enough to bite), Phi-3 (Q, K and V
     * in one matrix, the gate and up in one); from session 24 OLMo 2 (norms after, not before; Q/K norms over the whole
     * projection) and GLM-4 (norms before and after, Q/K/V biases, the gate and up in one, RoPE over the first half of each
     * head, in pairs).
     */
    @ParameterizedTest
    @CsvSource({"QWEN2, 16, false", "QWEN2, 16, true", "QWEN3, 32, false", "QWEN3, 16, false", "GRANITE, 16, false", "LLAMA, 16, true",
        "LLAMA, 32, false", "GEMMA3, 32, false", "GEMMA3, 16, false", "GEMMA2, 32, false", "GEMMA2, 16, false", "PHI3, 16, false",
        "OLMO2, 16, false", "GLM4, 16, false", "GLM4, 32, false", "EXAONE4, 16, false"})
    void llamaCppGeneratesTheSameGreedyTokensFromEachArchitecture(Architecture arch, int headDim, boolean biases) throws Exception {
        Path file = dir.resolve(arch + "-" + headDim + "-" + biases + ".gguf");
        RandomModelWriter.write(RandomModelSpec.tiny(GgmlType.F32).as(arch, headDim, biases), file);
        compareGeneration(file, PROBABILITY_TOLERANCE);
    }

    /**
     * Both caches in Q8_0 blocks (llama.cpp's {@code --cache-type-k q8_0 --cache-type-v q8_0}), F32 models with heads of
     * 32 (no rotation), 64 (keys and values rotated by 64) and 128 (keys by 128, values by 64): a plain Llama, Qwen3's
     * Q/K norms, Gemma 3's window. llama.cpp also rounds each query to a Q8_0 block for its integer dot product, which
     * Tangram does not, so the probabilities differ by up to {@link #Q8_CACHE_TOLERANCE}; and Tangram's cache of Q8_0
     * blocks must be nearer llama.cpp's than Tangram's cache of halves is, which a missing rotation, a scale in the wrong
     * place or a byte of the wrong slot is not.
     */
    @ParameterizedTest
    @CsvSource({"LLAMA, 32", "GEMMA3, 32", "LLAMA, 64", "QWEN3, 64", "GEMMA3, 64", "LLAMA, 128"})
    void llamaCppGeneratesAlikeWithBothCachesInQ8Blocks(Architecture arch, int headDim) throws Exception {
        Path file = dir.resolve(arch + "-" + headDim + "-q8kv.gguf");
        RandomModelWriter.write(RandomModelSpec.tiny(GgmlType.F32).as(arch, headDim, false), file);
        int steps = 8;
        List<String> out = NodeLlamaCpp.node("generate", GENERATE, file.toString(), Arrays.toString(PROMPT), String.valueOf(steps),
                KvCacheType.Q8_0.name());
        assertThat(out).hasSize(steps);
        double q8 = worstDeviation(file, out, KvCacheType.Q8_0);
        double halves = worstDeviation(file, out, KvCacheType.F16);
        assertThat(q8).as("Tangram's Q8_0 cache against llama.cpp's").isLessThan(Q8_CACHE_TOLERANCE);
        assertThat(q8).as("Tangram's Q8_0 cache against llama.cpp's, beside Tangram's halves").isLessThan(halves);
    }

    /**
     * The largest relative difference between llama.cpp's probabilities of its five likeliest tokens at each step and
     * Tangram's, over a cache of {@code cacheType}, fed llama.cpp's likeliest tokens.
     */
    private static double worstDeviation(Path file, List<String> out, KvCacheType cacheType) throws Exception {
        double worst = 0;
        try (LoadedModel m = ModelLoader.load(file, 2)) {
            PagedKvCache cache = new PagedKvCache(m.config(), 8, 16, cacheType);
            int[] table = {0, 1, 2, 3, 4, 5, 6, 7};
            float[] logits = m.forwardPass().forward(List.of(new SequenceChunk(PROMPT, 0, table, true)), cache)[0];
            int pos = PROMPT.length;
            for (String step : out) {
                String[] top = step.trim().split(" ");
                double[] probabilities = softmax(logits);
                for (String entry : top) {
                    worst = Math.max(worst, Math.abs(probabilities[token(entry)] - probability(entry)) / probability(entry));
                }
                logits = m.forwardPass().forward(List.of(new SequenceChunk(new int[] {token(top[0])}, pos++, table, true)), cache)[0];
            }
        }
        return worst;
    }

    /**
     * Mixtures of experts (F32): Qwen3-MoE (Qwen3's attention; experts narrower than the dense width the file also
     * names), Granite MoE (Granite's multipliers) and Mixtral-style {@code llama}; eight experts, two or three of them
     * per token, so that a wrong choice, weight or normalisation moves the probabilities far past the tolerance; and
     * Qwen3-MoE in the Q4_K_M mix, 256 wide, where llama.cpp reads each expert's K-quant blocks from the 3-D tensors. That
     * one uses all eight experts: the 8-bit rounding of activations, which differs between the engines, moves the router's
     * logits by a few hundredths, enough to swap two nearly tied experts (seen with three seeds of five when two of eight
     * were chosen), and a swap moves the output by a whole expert's share; with every expert used the weights are the
     * softmax itself, continuous in the logits.
     */
    @ParameterizedTest
    @CsvSource({"QWEN3MOE, 2, 64, F32", "QWEN3MOE, 3, 96, F32", "GRANITEMOE, 2, 128, F32", "LLAMA, 2, 128, F32", "QWEN3MOE, 8, 256, Q4_K_M"})
    void llamaCppGeneratesTheSameGreedyTokensFromAMixtureOfExperts(Architecture arch, int used, int expertFfn, String quant) throws Exception {
        Path file = dir.resolve(arch + "-moe-" + used + "-" + quant + ".gguf");
        QuantMix mix = QuantMix.parse(quant);
        RandomModelSpec base = mix.base() == GgmlType.F32 ? RandomModelSpec.tiny(GgmlType.F32)
                : new RandomModelSpec(2, 256, 4, 4, 512, 512, 2048, 10000f, mix.base(), true, 42);
        RandomModelWriter.write(base.as(arch, base.headDim(), false, new Experts(8, used, expertFfn)), mix, file);
        compareGeneration(file, mix.base() == GgmlType.F32 ? PROBABILITY_TOLERANCE : QUANTISED_TOLERANCE);
    }

    /**
     * gpt-oss-shaped models: Q/K/V and output biases, a sink per head (logits of ±2, so some heads give the sink much of
     * their weight), every other layer sliding a window of 8 (which the prompt's 11 positions and the 8 steps pass), the
     * FFN norm under its gpt-oss name, eight experts with router and expert biases, routed by the softmax over the chosen
     * logits and through the clamped SwiGLU; heads of 16 (queries as wide as the model) and of 32 (twice as wide, as
     * gpt-oss's 64 heads of 64 over 2,880). F32, two or three experts a token; and MXFP4 experts (the format gpt-oss ships),
     * every expert used, for the reason the Q4_K_M mixture above uses all eight.
     */
    @ParameterizedTest
    @CsvSource({"16, 2, F32", "32, 3, F32", "32, 8, MXFP4"})
    void llamaCppGeneratesTheSameGreedyTokensFromAGptOssShapedModel(int headDim, int used, GgmlType type) throws Exception {
        Path file = dir.resolve("gpt-oss-" + headDim + "-" + used + "-" + type + ".gguf");
        RandomModelWriter.write(RandomModelSpec.tiny(type).as(Architecture.GPT_OSS, headDim, false, new Experts(8, used, 96)), file);
        compareGeneration(file, type == GgmlType.F32 ? PROBABILITY_TOLERANCE : QUANTISED_TOLERANCE);
    }

    /**
     * Phi-3's LongRoPE and partial rotation (Phi-3.5-mini's factors, Phi-4-mini's three quarters of a head), which no
     * generated file carries: a Phi-3 model copied with 12 of its heads' 16 values rotated, random long and short factors
     * and an attention factor; served with 256 positions, as llama.cpp's context here, past an original context of 128
     * (the long factors) or within one of 1024 (the short ones).
     */
    @ParameterizedTest
    @ValueSource(ints = {128, 1024})
    void llamaCppGeneratesTheSameGreedyTokensWithLongRopeAndPartialRotation(int originalContext) throws Exception {
        Path plain = dir.resolve("phi3-plain.gguf");
        RandomModelWriter.write(RandomModelSpec.tiny(GgmlType.F32).as(Architecture.PHI3, 16, false), plain);
        java.util.Random r = new java.util.Random(5);
        float[] longFactors = new float[6];
        float[] shortFactors = new float[6];
        for (int i = 0; i < 6; i++) {
            longFactors[i] = 1 + 3 * r.nextFloat();
            shortFactors[i] = 1 + 0.5f * r.nextFloat();
        }
        Path file = dir.resolve("phi3-longrope-" + originalContext + ".gguf");
        dev.tangram.inference.testing.GgufCopy.write(plain, file, java.util.Map.of("phi3.rope.dimension_count", GgufValue.ofUint32(12),
                "phi3.rope.scaling.original_context_length", GgufValue.ofUint32(originalContext),
                "phi3.rope.scaling.attn_factor", GgufValue.ofFloat32(1.26f)),
                java.util.Map.of("rope_factors_long.weight", longFactors, "rope_factors_short.weight", shortFactors));
        compareGeneration(file, PROBABILITY_TOLERANCE, 256);
    }

    /**
     * SmolLM3 (F32), four layers so that one of them (layer 3) attends without RoPE, with heads of 16 and of 32.
     */
    @ParameterizedTest
    @ValueSource(ints = {16, 32})
    void llamaCppGeneratesTheSameGreedyTokensFromSmolLm3(int headDim) throws Exception {
        Path file = dir.resolve("smollm3-" + headDim + ".gguf");
        RandomModelWriter.write(new RandomModelSpec(4, 64, 4, 2, 128, 512, 2048, 10000f, GgmlType.F32, true, 42)
                .as(Architecture.SMOLLM3, headDim, false), file);
        compareGeneration(file, PROBABILITY_TOLERANCE);
    }

    /**
     * OLMo 3's shape (F32): OLMo 2's block with a window of 8 over three layers in four, which the 19 positions pass, and
     * YaRN on the global layer (layer 3; a factor of 4 over an original context of 64); four heads of 16 over two key
     * heads and over four (K's norm then as wide as Q's).
     */
    @ParameterizedTest
    @ValueSource(ints = {2, 4})
    void llamaCppGeneratesTheSameGreedyTokensFromAnOlmo3ShapedModel(int kvHeads) throws Exception {
        Path plain = dir.resolve("olmo3-" + kvHeads + "-plain.gguf");
        RandomModelWriter.write(new RandomModelSpec(4, 64, 4, kvHeads, 128, 512, 2048, 10000f, GgmlType.F32, false, 42)
                .as(Architecture.OLMO2, 16, false), QuantMix.uniform(GgmlType.F32), 8, plain);
        Path file = dir.resolve("olmo3-" + kvHeads + ".gguf");
        dev.tangram.inference.testing.GgufCopy.write(plain, file, java.util.Map.of("olmo2.rope.scaling.type", GgufValue.ofString("yarn"),
                "olmo2.rope.scaling.factor", GgufValue.ofFloat32(4), "olmo2.rope.scaling.original_context_length", GgufValue.ofUint32(64)),
                java.util.Map.of());
        compareGeneration(file, PROBABILITY_TOLERANCE);
    }

    /**
     * Ministral 3's shape (F32, a {@code mistral3} file): YaRN with its own rotation bounds (2 and 0.25, which ramp over
     * pairs 0 to 2 where llama.cpp's 32 and 1 would over pairs 0 to 1) and log multiplier (0 none, 0.5, and 1 as Ministral
     * 3's), and the query temperature (0.3) stepping every 8 positions, so that the 19 positions take three query scales;
     * a factor of 4 over that original context of 8.
     */
    @ParameterizedTest
    @ValueSource(floats = {0f, 0.5f, 1f})
    void llamaCppGeneratesTheSameGreedyTokensFromAMinistral3ShapedModel(float logMultiplier) throws Exception {
        Path plain = dir.resolve("mistral3-plain.gguf");
        RandomModelWriter.write(RandomModelSpec.tiny(GgmlType.F32).as(Architecture.MISTRAL3, 16, false), plain);
        Path file = dir.resolve("mistral3-" + logMultiplier + ".gguf");
        String p = "mistral3.";
        java.util.Map<String, GgufValue> keys = new java.util.HashMap<>(java.util.Map.of(p + "rope.scaling.type", GgufValue.ofString("yarn"),
                p + "rope.scaling.factor", GgufValue.ofFloat32(4), p + "rope.scaling.original_context_length", GgufValue.ofUint32(8),
                p + "rope.scaling.yarn_beta_fast", GgufValue.ofFloat32(2), p + "rope.scaling.yarn_beta_slow", GgufValue.ofFloat32(0.25f),
                p + "attention.temperature_scale", GgufValue.ofFloat32(0.3f)));
        if (logMultiplier != 0) {
            keys.put(p + "rope.scaling.yarn_log_multiplier", GgufValue.ofFloat32(logMultiplier));
        }
        dev.tangram.inference.testing.GgufCopy.write(plain, file, keys, java.util.Map.of());
        compareGeneration(file, PROBABILITY_TOLERANCE);
    }

    /**
     * EXAONE 4.0 32B's shape (F32): 64 layers, where llama.cpp gives an {@code exaone4} model its window (here 8, which the
     * 19 positions pass), three layers in four sliding and the global ones without RoPE.
     */
    @Test
    void llamaCppGeneratesTheSameGreedyTokensFromAnExaone4WithItsWindow() throws Exception {
        Path file = dir.resolve("exaone4-64.gguf");
        RandomModelWriter.write(new RandomModelSpec(64, 64, 4, 2, 128, 512, 2048, 10000f, GgmlType.F32, true, 42)
                .as(Architecture.EXAONE4, 16, false), QuantMix.uniform(GgmlType.F32), 8, file);
        compareGeneration(file, PROBABILITY_TOLERANCE);
    }

    /**
     * YaRN, which Qwen3 files extended past their training context carry and no generated file does: copies with
     * {@code rope.scaling.type} yarn, a factor of 4 and an original context of 64, so that over heads of 16 (32) pairs 0
     * to 3 (0 to 5) ramp from their own frequency to the scaled one; Qwen3 (halves), Llama (pairs, with an attention
     * factor, which llama.cpp applies to every architecture) and Gemma 3 (whose local layer is not scaled).
     */
    @ParameterizedTest
    @CsvSource({"QWEN3, 16, 1", "LLAMA, 32, 0.9", "GEMMA3, 16, 0.9"})
    void llamaCppGeneratesTheSameGreedyTokensWithYarn(Architecture arch, int headDim, float attentionFactor) throws Exception {
        Path plain = dir.resolve(arch + "-" + headDim + "-plain.gguf");
        RandomModelWriter.write(RandomModelSpec.tiny(GgmlType.F32).as(arch, headDim, false), plain);
        Path file = dir.resolve(arch + "-" + headDim + "-yarn.gguf");
        String p = arch.ggufName() + ".rope.scaling.";
        dev.tangram.inference.testing.GgufCopy.write(plain, file, java.util.Map.of(p + "type", GgufValue.ofString("yarn"),
                p + "factor", GgufValue.ofFloat32(4), p + "original_context_length", GgufValue.ofUint32(64),
                p + "attn_factor", GgufValue.ofFloat32(attentionFactor)), java.util.Map.of());
        compareGeneration(file, PROBABILITY_TOLERANCE);
    }

    /**
     * Eight greedy steps after an 11-token prompt, both engines fed llama.cpp's choice at each: Tangram's likeliest token
     * must be llama.cpp's, or, where llama.cpp gives the two within {@link #NEAR_TIE} of each other, one llama.cpp ranks
     * among its five likeliest (a random model's flat distribution has near ties, which rounding decides); and the
     * probabilities of llama.cpp's five likeliest tokens at each step must be Tangram's within {@code tolerance} of their
     * value (the tokens alone are blind to much).
     */
    private void compareGeneration(Path file, double tolerance) throws Exception {
        compareGeneration(file, tolerance, 0);
    }

    /** As above, Tangram serving the model with at most {@code contextLimit} positions (0: its own context). */
    private void compareGeneration(Path file, double tolerance, int contextLimit) throws Exception {
        int[] prompt = PROMPT;
        int steps = 8;
        List<String> out = NodeLlamaCpp.node("generate", GENERATE, file.toString(), Arrays.toString(prompt), String.valueOf(steps));
        assertThat(out).hasSize(steps);

        try (LoadedModel m = ModelLoader.load(file, 2, ReadAheadSetting.AUTO, WeightLayout.AUTO, Q4Activations.INT8, contextLimit)) {
            // halves, as llama.cpp's cache and Tangram's server keep keys and values by default
            PagedKvCache cache = new PagedKvCache(m.config(), 8, 16, KvCacheType.F16);
            int[] table = {0, 1, 2, 3, 4, 5, 6, 7};
            float[] logits = m.forwardPass().forward(List.of(new SequenceChunk(prompt, 0, table, true)), cache)[0];
            int pos = prompt.length;
            for (int s = 0; s < steps; s++) {
                String[] top = out.get(s).trim().split(" ");
                int next = token(top[0]);
                int ours = Sampler.argmax(logits);
                if (ours != next) {
                    double theirsForOurs = Arrays.stream(top).filter(e -> token(e) == ours).mapToDouble(LlamaCppConformanceTest::probability)
                            .findFirst().orElse(0);
                    assertThat(theirsForOurs).as("greedy token %d: Tangram's %d, llama.cpp's five likeliest: %s", s, ours, out.get(s))
                            .isGreaterThanOrEqualTo(probability(top[0]) * (1 - NEAR_TIE));
                }
                double[] probabilities = softmax(logits);
                for (String entry : top) {
                    double theirs = probability(entry);
                    assertThat(probabilities[token(entry)]).as("step %d, probability of token %d", s, token(entry))
                            .isCloseTo(theirs, within(tolerance * theirs));
                }
                logits = m.forwardPass().forward(List.of(new SequenceChunk(new int[] {next}, pos++, table, true)), cache)[0];
            }
        }
    }

    private static int token(String entry) {
        return Integer.parseInt(entry.substring(0, entry.indexOf(':')));
    }

    private static double probability(String entry) {
        return Double.parseDouble(entry.substring(entry.indexOf(':') + 1));
    }

    private static double[] softmax(float[] logits) {
        double max = Double.NEGATIVE_INFINITY;
        for (float l : logits) {
            max = Math.max(max, l);
        }
        double sum = 0;
        double[] p = new double[logits.length];
        for (int i = 0; i < p.length; i++) {
            p[i] = Math.exp(logits[i] - max);
            sum += p[i];
        }
        for (int i = 0; i < p.length; i++) {
            p[i] /= sum;
        }
        return p;
    }

    /**
     * A Phi-3 model's vocabulary, with Phi-3's control tokens: llama.cpp strips the whitespace after them (its
     * {@code RSTRIP}, set by the model's name) and so must Tangram, in chat-formatted text and elsewhere.
     */
    @Test
    void aPhi3ModelsSpecialTokensTakeTheWhitespaceAfterThemAsInLlamaCpp() throws Exception {
        Path file = dir.resolve("phi3-vocab.gguf");
        RandomModelWriter.write(RandomModelSpec.tiny(GgmlType.F32).as(Architecture.PHI3, 16, false), file);
        compareTokenizers(file, List.of("<|user|>\nHi there<|end|>\n<|assistant|>\n", "<|system|> \t\n Be brief.<|end|>\n\n<|user|>\nx",
                "a<|end|>   b", "<|endoftext|> kept", "<s> kept too", "</s>\n stripped", "<|eot_id|>\n\nstripped as well"));
    }

    private void compareTokenizers(Path file) throws Exception {
        compareTokenizers(file, TokenizerConformanceFixtures.TEXTS);
    }

    private void compareTokenizers(Path file, List<String> texts) throws Exception {
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
