package dev.tangram.inference.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tangram.inference.gguf.GgmlType;
import dev.tangram.inference.gguf.GgufFile;
import dev.tangram.inference.gguf.GgufFormatException;
import dev.tangram.inference.gguf.GgufValue;
import dev.tangram.inference.gguf.GgufWriter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelConfigReaderTest {
    @TempDir
    Path dir;

    /** A file with {@code arch}'s shape keys (dim 64, 4 heads of 16, 2 KV heads), {@code extra} keys and an 8-token embedding. */
    private LlamaConfig read(String arch, Map<String, GgufValue> extra) throws IOException {
        Map<String, GgufValue> keys = new LinkedHashMap<>();
        keys.put("general.architecture", GgufValue.ofString(arch));
        keys.put(arch + ".embedding_length", GgufValue.ofUint32(64));
        keys.put(arch + ".block_count", GgufValue.ofUint32(2));
        keys.put(arch + ".feed_forward_length", GgufValue.ofUint32(128));
        keys.put(arch + ".attention.head_count", GgufValue.ofUint32(4));
        keys.put(arch + ".attention.head_count_kv", GgufValue.ofUint32(2));
        keys.put(arch + ".context_length", GgufValue.ofUint32(2048));
        keys.putAll(extra);
        GgufWriter w = new GgufWriter();
        keys.forEach(w::put);
        w.tensor("token_embd.weight", GgmlType.F32, new long[] {64, 8}, out -> out.write(new byte[64 * 8 * 4]));
        Path file = dir.resolve(arch + keys.hashCode() + ".gguf");
        w.write(file);
        try (GgufFile f = GgufFile.open(file)) {
            return ModelConfigReader.read(f);
        }
    }

    /**
     * Gemma 3's keys as llama.cpp reads them: embeddings times √dim, scores times 1/√headDim, the window and its pattern
     * (every sixth layer global where no pattern is written; a number, or a boolean per layer), the local RoPE base
     * (10000 where absent), the logit cap; no window where the size is absent.
     */
    @Test
    void gemma3ReadsItsWindowScalesAndCap() throws IOException {
        LlamaConfig plain = read("gemma3", Map.of());
        assertThat(plain.scales()).isEqualTo(new DecoderScales(8, 1, 0.25f, 1, 0, 0));
        assertThat(plain.window()).isEqualTo(SlidingWindow.NONE);
        LlamaConfig sliding = read("gemma3", Map.of("gemma3.attention.sliding_window", GgufValue.ofUint32(512),
                "gemma3.final_logit_softcapping", GgufValue.ofFloat32(30)));
        assertThat(sliding.window().size()).isEqualTo(512);
        assertThat(sliding.window().isLocal(0)).isTrue();
        assertThat(sliding.window().isLocal(1)).as("pattern 6: layers 0-4 of each 6 local").isTrue();
        assertThat(sliding.window().ropeTheta()).isEqualTo(10000f);
        assertThat(sliding.scales().logitCap()).isEqualTo(30f);
        LlamaConfig two = read("gemma3", Map.of("gemma3.attention.sliding_window", GgufValue.ofUint32(4),
                "gemma3.attention.sliding_window_pattern", GgufValue.ofUint32(2), "gemma3.rope.freq_base_swa", GgufValue.ofFloat32(100)));
        assertThat(two.window().local()).isEqualTo(SlidingWindow.pattern(2, 2));
        assertThat(two.window().isLocal(1)).isFalse();
        assertThat(two.window().ropeTheta()).isEqualTo(100f);
        assertThat(two.window().first(0, 10)).isEqualTo(7);
        assertThat(two.window().first(1, 10)).isZero();
        LlamaConfig flags = read("gemma3", Map.of("gemma3.attention.sliding_window", GgufValue.ofUint32(4),
                "gemma3.attention.sliding_window_pattern", new GgufValue(dev.tangram.inference.gguf.GgufValueType.ARRAY,
                        dev.tangram.inference.gguf.GgufValueType.BOOL, new boolean[] {false, true})));
        assertThat(flags.window().isLocal(0)).isFalse();
        assertThat(flags.window().isLocal(1)).isTrue();
        assertThatThrownBy(() -> read("gemma3", Map.of("gemma3.attention.sliding_window", GgufValue.ofUint32(4),
                "gemma3.attention.sliding_window_pattern", new GgufValue(dev.tangram.inference.gguf.GgufValueType.ARRAY,
                        dev.tangram.inference.gguf.GgufValueType.BOOL, new boolean[] {true})))).isInstanceOf(GgufFormatException.class)
                .hasMessageContaining("'gemma3.attention.sliding_window_pattern' must be a number or 2 booleans, one per layer");
        assertThat(SlidingWindow.pattern(6, 12).stream().toArray()).containsExactly(0, 1, 2, 3, 4, 6, 7, 8, 9, 10);
    }

    /** Gemma 2's defaults, as llama.cpp's: a window of 4096 over every other layer, the global RoPE, caps of 50 and 30. */
    @Test
    void gemma2ReadsItsDefaults() throws IOException {
        LlamaConfig c = read("gemma2", Map.of("gemma2.rope.freq_base", GgufValue.ofFloat32(5000)));
        assertThat(c.scales()).isEqualTo(new DecoderScales(8, 1, 0.25f, 1, 30, 50));
        assertThat(c.window()).isEqualTo(new SlidingWindow(4096, SlidingWindow.pattern(2, 2), 5000f, 1f));
        LlamaConfig own = read("gemma2", Map.of("gemma2.attention.sliding_window", GgufValue.ofUint32(8),
                "gemma2.attn_logit_softcapping", GgufValue.ofFloat32(0.5f), "gemma2.final_logit_softcapping", GgufValue.ofFloat32(1),
                "gemma2.rope.scaling.factor", GgufValue.ofFloat32(2)));
        assertThat(own.scales().attentionCap()).isEqualTo(0.5f);
        assertThat(own.scales().logitCap()).isEqualTo(1f);
        assertThat(own.window().size()).isEqualTo(8);
        assertThat(own.window().ropeScale()).as("Gemma 2's local layers scale as the global ones").isEqualTo(0.5f);
        assertThatThrownBy(() -> read("gemma2", Map.of("gemma2.attn_logit_softcapping", GgufValue.ofFloat32(-1))))
                .hasMessageContaining("'gemma2.attn_logit_softcapping' = -1.0 is not a positive number");
    }

    /** A Phi-3 file whose queries are not as wide as the model is refused naming the key, as llama.cpp's shapes refuse it. */
    @Test
    void phi3QueriesMustBeAsWideAsTheModel() throws IOException {
        assertThat(read("phi3", Map.of()).qDim()).isEqualTo(64);
        assertThatThrownBy(() -> read("phi3", Map.of("phi3.attention.key_length", GgufValue.ofUint32(32))))
                .hasMessageContaining("'phi3.attention.key_length' = 32 makes the queries 128 wide; phi3 models' are as wide as the model, 64");
    }

    /** Phi-3 may rotate part of a head (Phi-4-mini: three quarters), an even number of values; other architectures may not. */
    @Test
    void onlyPhi3RotatesPartOfAHead() throws IOException {
        assertThat(read("phi3", Map.of("phi3.rope.dimension_count", GgufValue.ofUint32(12))).ropeDims()).isEqualTo(12);
        assertThat(read("phi3", Map.of()).ropeDims()).isEqualTo(16);
        assertThatThrownBy(() -> read("phi3", Map.of("phi3.rope.dimension_count", GgufValue.ofUint32(11))))
                .hasMessageContaining("'phi3.rope.dimension_count' = 11");
        assertThatThrownBy(() -> read("llama", Map.of("llama.rope.dimension_count", GgufValue.ofUint32(12))))
                .hasMessageContaining("'llama.rope.dimension_count' = 12");
    }

    @Test
    void eachArchitectureReadsItsOwnKeys() throws IOException {
        for (Architecture a : Architecture.values()) {
            Map<String, GgufValue> extra = new LinkedHashMap<>();
            if (a.multipliers()) {
                extra.put(a.ggufName() + ".logit_scale", GgufValue.ofFloat32(8));
            }
            if (a.experts()) {
                extra.put(a.ggufName() + ".expert_count", GgufValue.ofUint32(4));
                extra.put(a.ggufName() + ".expert_used_count", GgufValue.ofUint32(2));
            }
            if (a == Architecture.GPT_OSS) {
                extra.put(a.ggufName() + ".expert_feed_forward_length", GgufValue.ofUint32(128));
                extra.put(a.ggufName() + ".attention.sliding_window", GgufValue.ofUint32(128));
            }
            LlamaConfig c = read(a.ggufName(), extra);
            assertThat(c.experts().present()).isEqualTo(a.experts());
            assertThat(c.architecture()).isEqualTo(a);
            assertThat(c.dim()).isEqualTo(64);
            assertThat(c.headDim()).isEqualTo(16);
            assertThat(c.kvHeads()).isEqualTo(2);
            assertThat(c.vocabSize()).isEqualTo(8);
            assertThat(c.ropeScale()).isEqualTo(1f);
            if (!a.gemmaBlock()) {
                assertThat(c.scales()).isEqualTo(a.multipliers() ? new DecoderScales(1, 1, 0, 8) : DecoderScales.NONE);
            }
        }
        assertThat(Architecture.QWEN2.rope()).isEqualTo(Architecture.RopeStyle.HALVES);
        assertThat(Architecture.QWEN3.rope()).isEqualTo(Architecture.RopeStyle.HALVES);
        assertThat(Architecture.LLAMA.rope()).isEqualTo(Architecture.RopeStyle.PAIRS);
        assertThat(Architecture.GRANITE.rope()).isEqualTo(Architecture.RopeStyle.PAIRS);
        assertThat(Architecture.QWEN3MOE.rope()).isEqualTo(Architecture.RopeStyle.HALVES);
        assertThat(Architecture.QWEN3MOE.qkNorm()).isTrue();
        assertThat(Architecture.GRANITEMOE.rope()).isEqualTo(Architecture.RopeStyle.PAIRS);
        assertThat(Architecture.GRANITEMOE.multipliers()).isTrue();
    }

    @Test
    void headsMayBeWiderThanTheModelDividedByTheirCount() throws IOException {
        LlamaConfig c = read("qwen3", Map.of("qwen3.attention.key_length", GgufValue.ofUint32(32),
                "qwen3.attention.value_length", GgufValue.ofUint32(32)));
        assertThat(c.headDim()).isEqualTo(32);
        assertThat(c.qDim()).isEqualTo(128);
        assertThat(c.kvDim()).isEqualTo(64);
    }

    @Test
    void unknownArchitecturesAreRefusedNamingTheKeyAndTheKnownOnes() {
        assertThatThrownBy(() -> read("phi2", Map.of())).isInstanceOf(GgufFormatException.class)
                .hasMessageContaining("'general.architecture' = 'phi2'")
                .hasMessageContaining("llama, qwen2, qwen3, granite, gemma3, gemma2, phi3");
        // llama.cpp has no "mistral" architecture: Mistral 7B files say llama
        assertThatThrownBy(() -> read("mistral", Map.of())).hasMessageContaining("'general.architecture' = 'mistral'");
    }

    @Test
    void linearRopeScalingDividesPositionsByItsFactorAsLlamaCppDoes() throws IOException {
        assertThat(read("llama", Map.of("llama.rope.scaling.type", GgufValue.ofString("linear"),
                "llama.rope.scaling.factor", GgufValue.ofFloat32(4))).ropeScale()).isEqualTo(0.25f);
        // the type defaults to linear, and the older key holds the factor where the newer is absent
        assertThat(read("llama", Map.of("llama.rope.scale_linear", GgufValue.ofFloat32(2))).ropeScale()).isEqualTo(0.5f);
        // "none" never scales, whatever the factor
        assertThat(read("llama", Map.of("llama.rope.scaling.type", GgufValue.ofString("none"),
                "llama.rope.scaling.factor", GgufValue.ofFloat32(4))).ropeScale()).isEqualTo(1f);
    }

    @Test
    void yarnReadsItsFactorAndOriginalContextAsLlamaCppDoes() throws IOException {
        RopeScaling rope = read("qwen3", Map.of("qwen3.rope.scaling.type", GgufValue.ofString("yarn"),
                "qwen3.rope.scaling.factor", GgufValue.ofFloat32(4), "qwen3.rope.scaling.original_context_length", GgufValue.ofUint32(512)))
                .rope();
        assertThat(rope.positionScale()).isEqualTo(0.25f);
        assertThat(rope.yarn()).isEqualTo(new RopeScaling.Yarn(512, 32f, 1f, 0f));
        assertThat(rope.attentionFactor()).isEqualTo(1f);
        // the original context defaults to the file's context (2048 here); the attention factor is read for every architecture
        RopeScaling defaulted = read("llama", Map.of("llama.rope.scaling.type", GgufValue.ofString("yarn"),
                "llama.rope.scaling.factor", GgufValue.ofFloat32(2), "llama.rope.scaling.attn_factor", GgufValue.ofFloat32(0.9f))).rope();
        assertThat(defaulted.yarn().originalContext()).isEqualTo(2048);
        assertThat(defaulted.attentionFactor()).isEqualTo(0.9f);
        assertThat(read("llama", Map.of()).rope()).isEqualTo(RopeScaling.NONE);
    }

    /**
     * OLMo 3's window, as llama.cpp reads an {@code olmo2} file: none without {@code attention.sliding_window}; with one,
     * three layers in four local where no pattern is given, with the global RoPE base whatever {@code rope.freq_base_swa}
     * says (llama.cpp's olmo2 graph passes the global one) and no scaling.
     */
    @Test
    void anOlmoWindowSlidesThreeLayersInFourWithTheGlobalRopeBase() throws IOException {
        assertThat(read("olmo2", Map.of()).window()).isEqualTo(SlidingWindow.NONE);
        LlamaConfig c = read("olmo2", Map.of("olmo2.block_count", GgufValue.ofUint32(8), "olmo2.attention.sliding_window", GgufValue.ofUint32(4096),
                "olmo2.rope.freq_base", GgufValue.ofFloat32(500000), "olmo2.rope.freq_base_swa", GgufValue.ofFloat32(10000),
                "olmo2.rope.scaling.type", GgufValue.ofString("yarn"), "olmo2.rope.scaling.factor", GgufValue.ofFloat32(8)));
        assertThat(IntStream.range(0, 8).filter(c.window()::isLocal).toArray()).containsExactly(0, 1, 2, 4, 5, 6);
        assertThat(c.window().ropeTheta()).isEqualTo(500000f);
        assertThat(c.window().ropeScale()).isEqualTo(1f);
        assertThat(c.ropeScale()).isEqualTo(0.125f);
    }

    /**
     * Mistral 3's keys, which llama.cpp reads for no other architecture here: YaRN's rotation bounds and log multiplier,
     * and the query temperature, stepping by the original context.
     */
    @Test
    void mistral3ReadsItsYarnBoundsLogMultiplierAndQueryTemperature() throws IOException {
        Map<String, GgufValue> keys = Map.of("rope.scaling.type", GgufValue.ofString("yarn"), "rope.scaling.factor", GgufValue.ofFloat32(16),
                "rope.scaling.original_context_length", GgufValue.ofUint32(16384), "rope.scaling.yarn_beta_fast", GgufValue.ofFloat32(4),
                "rope.scaling.yarn_beta_slow", GgufValue.ofFloat32(2), "rope.scaling.yarn_log_multiplier", GgufValue.ofFloat32(1),
                "attention.temperature_scale", GgufValue.ofFloat32(0.1f));
        Map<String, GgufValue> mistral = new LinkedHashMap<>();
        Map<String, GgufValue> llama = new LinkedHashMap<>();
        keys.forEach((k, v) -> {
            mistral.put("mistral3." + k, v);
            llama.put("llama." + k, v);
        });
        LlamaConfig c = read("mistral3", mistral);
        assertThat(c.rope().yarn()).isEqualTo(new RopeScaling.Yarn(16384, 4f, 2f, 1f));
        assertThat(c.scales().queryTemperature()).isEqualTo(0.1f);
        assertThat(c.scales().temperatureFloor()).isEqualTo(16384);
        assertThat(c.scales().queryScale(16383)).isEqualTo(1.0);
        assertThat(c.scales().queryScale(16384)).isCloseTo(1 + 0.1 * Math.log(2), org.assertj.core.api.Assertions.within(1e-7));
        // the same keys in a llama file are not read, as llama.cpp reads them for mistral3 only
        LlamaConfig other = read("llama", llama);
        assertThat(other.rope().yarn()).isEqualTo(RopeScaling.Yarn.of(16384));
        assertThat(other.scales().queryTemperature()).isZero();
        assertThatThrownBy(() -> read("mistral3", Map.of("mistral3.rope.scaling.type", GgufValue.ofString("yarn"),
                "mistral3.rope.scaling.factor", GgufValue.ofFloat32(4), "mistral3.rope.scaling.yarn_beta_fast", GgufValue.ofFloat32(0.5f))))
                .hasMessageContaining("'mistral3.rope.scaling.yarn_beta_fast', 'yarn_beta_slow' or 'yarn_log_multiplier'");
    }

    /**
     * EXAONE 4's window, as llama.cpp decides it: none below 64 layers whatever the file says; with 64, 4,096 positions
     * (or the file's) over three layers in four, with the global base and scale; next-token layers and wider queries
     * refused by name.
     */
    @Test
    void anExaone4SlidesAWindowOnlyWithSixtyFourLayers() throws IOException {
        assertThat(read("exaone4", Map.of("exaone4.attention.sliding_window", GgufValue.ofUint32(16))).window()).isEqualTo(SlidingWindow.NONE);
        LlamaConfig c = read("exaone4", Map.of("exaone4.block_count", GgufValue.ofUint32(64)));
        assertThat(c.window().size()).isEqualTo(4096);
        assertThat(IntStream.range(0, 8).filter(c.window()::isLocal).toArray()).containsExactly(0, 1, 2, 4, 5, 6);
        assertThat(IntStream.range(0, 8).filter(c::rotates).toArray()).containsExactly(0, 1, 2, 4, 5, 6);
        assertThat(c.window().ropeTheta()).isEqualTo(c.ropeTheta());
        assertThatThrownBy(() -> read("exaone4", Map.of("exaone4.nextn_predict_layers", GgufValue.ofUint32(1))))
                .hasMessageContaining("'exaone4.nextn_predict_layers' is set");
        assertThatThrownBy(() -> read("exaone4", Map.of("exaone4.attention.key_length", GgufValue.ofUint32(32))))
                .hasMessageContaining("exaone4 models' are as wide as the model");
    }

    /**
     * gpt-oss as llama.cpp reads it: its experts' own width (required), the gating key ignored (its graph routes by the
     * softmax over the chosen logits whatever the key says), the window required, every other layer sliding from the first
     * with the global RoPE base and YaRN scale where the file names no local base.
     */
    @Test
    void gptOssReadsItsExpertWidthAndWindowAsLlamaCppDoes() throws IOException {
        Map<String, GgufValue> keys = new LinkedHashMap<>(Map.of("gpt-oss.expert_count", GgufValue.ofUint32(32),
                "gpt-oss.expert_used_count", GgufValue.ofUint32(4), "gpt-oss.expert_feed_forward_length", GgufValue.ofUint32(96),
                "gpt-oss.attention.sliding_window", GgufValue.ofUint32(128), "gpt-oss.expert_gating_func", GgufValue.ofUint32(3),
                "gpt-oss.rope.scaling.type", GgufValue.ofString("yarn"), "gpt-oss.rope.scaling.factor", GgufValue.ofFloat32(32),
                "gpt-oss.rope.scaling.original_context_length", GgufValue.ofUint32(512), "gpt-oss.block_count", GgufValue.ofUint32(6)));
        LlamaConfig c = read("gpt-oss", keys);
        assertThat(c.experts()).isEqualTo(new Experts(32, 4, 96));
        assertThat(c.window().size()).isEqualTo(128);
        assertThat(IntStream.range(0, 6).filter(c.window()::isLocal).toArray()).containsExactly(0, 2, 4);
        assertThat(c.window().ropeTheta()).isEqualTo(c.ropeTheta());
        assertThat(c.window().ropeScale()).isEqualTo(c.ropeScale()).isEqualTo(1f / 32);
        assertThat(c.rope().yarn().originalContext()).isEqualTo(512);

        Map<String, GgufValue> noWidth = new LinkedHashMap<>(keys);
        noWidth.remove("gpt-oss.expert_feed_forward_length");
        assertThatThrownBy(() -> read("gpt-oss", noWidth)).hasMessageContaining("gpt-oss.expert_feed_forward_length");
        Map<String, GgufValue> noWindow = new LinkedHashMap<>(keys);
        noWindow.remove("gpt-oss.attention.sliding_window");
        assertThatThrownBy(() -> read("gpt-oss", noWindow)).hasMessageContaining("'gpt-oss.attention.sliding_window' is missing");
    }

    /** GLM-4 rotates the first half of each head; its multimodal sections and next-token layers are refused by name. */
    @Test
    void glm4RotatesPartOfAHeadAndRefusesWhatItsTextModelHasNot() throws IOException {
        assertThat(read("glm4", Map.of("glm4.rope.dimension_count", GgufValue.ofUint32(8))).ropeDims()).isEqualTo(8);
        assertThatThrownBy(() -> read("glm4", Map.of("glm4.rope.dimension_sections", GgufValue.ofInt32s(8, 12, 12, 0))))
                .hasMessageContaining("'glm4.rope.dimension_sections' is set");
        assertThatThrownBy(() -> read("glm4", Map.of("glm4.nextn_predict_layers", GgufValue.ofUint32(1))))
                .hasMessageContaining("'glm4.nextn_predict_layers' is set");
        assertThat(read("glm4", Map.of("glm4.nextn_predict_layers", GgufValue.ofUint32(0))).layers()).isEqualTo(2);
    }

    @Test
    void whatTheDecoderWouldComputeDifferentlyIsRefusedNamingTheKey() {
        assertThatThrownBy(() -> read("olmo2", Map.of("olmo2.attention.key_length", GgufValue.ofUint32(32))))
                .hasMessageContaining("'olmo2.attention.key_length' = 32 makes the queries 128 wide; olmo2 models' are as wide as the model, 64");
        assertThatThrownBy(() -> read("olmo2", Map.of("olmo2.attention.sliding_window", GgufValue.ofUint32(16),
                "olmo2.rope.scaling.attn_factor", GgufValue.ofFloat32(0.9f))))
                .hasMessageContaining("'olmo2.rope.scaling.attn_factor' = 0.9: llama.cpp's olmo2 leaves it out of the sliding-window layers");
        assertThatThrownBy(() -> read("qwen2", Map.of("qwen2.rope.scaling.type", GgufValue.ofString("longrope"),
                "qwen2.rope.scaling.factor", GgufValue.ofFloat32(4)))).isInstanceOf(GgufFormatException.class)
                .hasMessageContaining("'qwen2.rope.scaling.type' = 'longrope' is not supported (none, linear, yarn)");
        assertThatThrownBy(() -> read("qwen2", Map.of("qwen2.rope.scaling.type", GgufValue.ofString("yarn"),
                "qwen2.rope.scaling.factor", GgufValue.ofFloat32(0.5f))))
                .hasMessageContaining("'qwen2.rope.scaling.factor' = 0.5: YaRN extends a context, by a factor of at least 1");
        assertThatThrownBy(() -> read("qwen2", Map.of("qwen2.rope.scaling.type", GgufValue.ofString("yarn"),
                "qwen2.rope.scaling.factor", GgufValue.ofFloat32(4), "qwen2.rope.scaling.original_context_length", GgufValue.ofUint32(0))))
                .hasMessageContaining("'qwen2.rope.scaling.original_context_length' = 0 is not a positive number");
        assertThatThrownBy(() -> read("llama", Map.of("llama.rope.scaling.attn_factor", GgufValue.ofFloat32(0))))
                .hasMessageContaining("'llama.rope.scaling.attn_factor' = 0.0 is not a positive number");
        assertThatThrownBy(() -> read("llama", Map.of("llama.rope.scaling.factor", GgufValue.ofFloat32(-2))))
                .hasMessageContaining("'llama.rope.scaling.factor' = -2.0");
        assertThatThrownBy(() -> read("llama", Map.of("llama.rope.dimension_count", GgufValue.ofUint32(8))))
                .hasMessageContaining("'llama.rope.dimension_count' = 8");
        assertThatThrownBy(() -> read("qwen3", Map.of("qwen3.attention.value_length", GgufValue.ofUint32(32))))
                .hasMessageContaining("'qwen3.attention.value_length' = 32");
        assertThatThrownBy(() -> read("granite", Map.of())).hasMessageContaining("'granite.logit_scale' is missing");
        assertThatThrownBy(() -> read("granite", Map.of("granite.logit_scale", GgufValue.ofFloat32(0))))
                .hasMessageContaining("'granite.logit_scale' is 0");
    }

    /**
     * Experts as llama.cpp reads them: Qwen3-MoE's own width (its dense width ÷ the experts used where absent), the
     * others' the dense width; a dense model without the keys; refused, naming the key: a Qwen3-MoE file without experts,
     * experts in an architecture Tangram runs dense, shared experts, a gating other than softmax, more used than there are,
     * a used count per layer.
     */
    @Test
    void expertsAreReadAsLlamaCppReadsThemAndWhatTheRouterWouldDoDifferentlyIsRefused() throws IOException {
        Map<String, GgufValue> qwen = Map.of("qwen3moe.expert_count", GgufValue.ofUint32(128), "qwen3moe.expert_used_count",
                GgufValue.ofUint32(8), "qwen3moe.expert_feed_forward_length", GgufValue.ofUint32(96));
        LlamaConfig q = read("qwen3moe", qwen);
        assertThat(q.experts()).isEqualTo(new Experts(128, 8, 96));
        assertThat(q.ffnWidth()).isEqualTo(96);
        assertThat(read("qwen3moe", Map.of("qwen3moe.expert_count", GgufValue.ofUint32(16), "qwen3moe.expert_used_count",
                GgufValue.ofUint32(4))).experts()).isEqualTo(new Experts(16, 4, 32));
        assertThat(read("llama", Map.of("llama.expert_count", GgufValue.ofUint32(8), "llama.expert_used_count", GgufValue.ofUint32(2)))
                .experts()).isEqualTo(new Experts(8, 2, 128));
        assertThat(read("granitemoe", Map.of("granitemoe.logit_scale", GgufValue.ofFloat32(8), "granitemoe.expert_count",
                GgufValue.ofUint32(32), "granitemoe.expert_used_count", GgufValue.ofUint32(8))).experts()).isEqualTo(new Experts(32, 8, 128));
        LlamaConfig dense = read("llama", Map.of());
        assertThat(dense.experts()).isEqualTo(Experts.NONE);
        assertThat(dense.ffnWidth()).isEqualTo(128);

        assertThatThrownBy(() -> read("qwen3moe", Map.of())).isInstanceOf(GgufFormatException.class)
                .hasMessageContaining("'qwen3moe.expert_count' is missing or 0");
        assertThatThrownBy(() -> read("qwen3", Map.of("qwen3.expert_count", GgufValue.ofUint32(8), "qwen3.expert_used_count",
                GgufValue.ofUint32(2)))).hasMessageContaining("'qwen3.expert_count' = 8: Tangram runs qwen3 with dense FFNs only");
        Map<String, GgufValue> shared = new LinkedHashMap<>(qwen);
        shared.put("qwen3moe.expert_shared_feed_forward_length", GgufValue.ofUint32(64));
        assertThatThrownBy(() -> read("qwen3moe", shared)).hasMessageContaining("'qwen3moe.expert_shared_feed_forward_length' = 64");
        Map<String, GgufValue> sigmoid = new LinkedHashMap<>(qwen);
        sigmoid.put("qwen3moe.expert_gating_func", GgufValue.ofUint32(2));
        assertThatThrownBy(() -> read("qwen3moe", sigmoid)).hasMessageContaining("'qwen3moe.expert_gating_func' = 2");
        assertThatThrownBy(() -> read("llama", Map.of("llama.expert_count", GgufValue.ofUint32(4), "llama.expert_used_count",
                GgufValue.ofUint32(5)))).hasMessageContaining("4 experts, 5 used");
        assertThatThrownBy(() -> read("llama", Map.of("llama.expert_count", GgufValue.ofUint32(4), "llama.expert_used_count",
                GgufValue.ofInt32s(2, 2)))).hasMessageContaining("'llama.expert_used_count' must be one number");
        assertThatThrownBy(() -> read("llama", Map.of("llama.expert_count", GgufValue.ofUint32(4))))
                .hasMessageContaining("'llama.expert_used_count' must be one number");
    }

    @Test
    void graniteMultipliersAreReadWithZeroMeaningNone() throws IOException {
        LlamaConfig c = read("granite", Map.of("granite.logit_scale", GgufValue.ofFloat32(8), "granite.embedding_scale", GgufValue.ofFloat32(12),
                "granite.residual_scale", GgufValue.ofFloat32(0.22f), "granite.attention.scale", GgufValue.ofFloat32(0.015625f)));
        assertThat(c.scales()).isEqualTo(new DecoderScales(12, 0.22f, 0.015625f, 8));
        assertThat(c.scales().attentionScale(64)).isEqualTo(0.015625f);
        assertThat(DecoderScales.NONE.attentionScale(64)).isEqualTo(0.125f);
        // Llama files do not carry Granite's keys; were they there, llama.cpp's llama would not read them, nor does Tangram
        assertThat(read("llama", Map.of("llama.logit_scale", GgufValue.ofFloat32(8))).scales()).isEqualTo(DecoderScales.NONE);
    }
}
