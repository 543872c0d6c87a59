package dev.tangram.inference.model;

import dev.tangram.inference.gguf.GgufFile;
import dev.tangram.inference.gguf.GgufFormatException;
import dev.tangram.inference.gguf.GgufMetadata;
import dev.tangram.inference.gguf.GgufValueType;

/**
 * Reads a decoder's {@link LlamaConfig} from GGUF metadata the way llama.cpp reads it, refusing what Tangram's decoder
 * would compute differently from llama.cpp (an architecture it does not run, a RoPE scaling other than linear and YaRN,
 * LongRoPE and partial RoPE but for Phi-3's, value heads of another size than key heads, experts Tangram's router would choose differently), each
 * time naming the key.
 */
final class ModelConfigReader {
    private ModelConfigReader() {}

    static LlamaConfig read(GgufFile file) {
        GgufMetadata m = file.metadata();
        String name = m.getString("general.architecture");
        Architecture arch = Architecture.of(name).orElseThrow(() -> new GgufFormatException(file.path()
                + ": GGUF metadata key 'general.architecture' = '" + name + "' is not an architecture Tangram runs (" + Architecture.names()
                + ")"));
        String p = arch.ggufName() + ".";
        int dim = m.getInt(p + "embedding_length");
        int heads = m.getInt(p + "attention.head_count");
        int kvHeads = m.getInt(p + "attention.head_count_kv", heads);
        if (heads <= 0 || dim % heads != 0 && !m.contains(p + "attention.key_length")) {
            throw bad(file, "'" + p + "embedding_length' = " + dim + " is not a multiple of '" + p + "attention.head_count' = " + heads);
        }
        int headDim = m.getInt(p + "attention.key_length", dim / heads);
        if (arch.queriesAsWide() && headDim * heads != dim) {
            throw bad(file, "'" + p + "attention.key_length' = " + headDim + " makes the queries " + headDim * heads + " wide; " + name
                    + " models' are as wide as the model, " + dim + " (llama.cpp's " + name + " reads no other)");
        }
        int valueDim = m.getInt(p + "attention.value_length", headDim);
        if (valueDim != headDim) {
            throw bad(file, "'" + p + "attention.value_length' = " + valueDim + " differs from the key heads' " + headDim
                    + "; Tangram's attention takes value heads of the key heads' size");
        }
        int rotated = m.getInt(p + "rope.dimension_count", headDim);
        if (rotated != headDim && !(arch.partialRope() && rotated > 0 && rotated < headDim && rotated % 2 == 0)) {
            throw bad(file, "'" + p + "rope.dimension_count' = " + rotated + ": RoPE over part of a head of " + headDim
                    + " is not supported (llama.cpp requires the whole head for " + name + " too; of the architectures here only phi3 "
                    + "and glm4 rotate part, an even number of values)");
        }
        boolean sections = arch == Architecture.GLM4 && m.contains(p + "rope.dimension_sections");
        if (sections || (arch == Architecture.GLM4 || arch == Architecture.EXAONE4) && m.getInt(p + "nextn_predict_layers", 0) != 0) {
            throw bad(file, "'" + p + (sections ? "rope.dimension_sections" : "nextn_predict_layers")
                    + "' is set: multimodal RoPE sections (GLM-4V) and next-token prediction layers are not supported");
        }
        int vocab = file.tensor("token_embd.weight").rows();
        try {
            int layers = m.getInt(p + "block_count");
            float ropeTheta = m.getFloat(p + "rope.freq_base", 10000f);
            int context = m.getInt(p + "context_length");
            // llama.cpp's n_ctx_orig_yarn: YaRN's original context, and Mistral 3's step of the query temperature
            int originalContext = m.getInt(p + "rope.scaling.original_context_length", context);
            RopeScaling rope = rope(file, arch, p, originalContext);
            int ffn = m.getInt(p + "feed_forward_length");
            SlidingWindow window = arch.slides() ? window(file, arch, p, layers, ropeTheta, rope.positionScale()) : SlidingWindow.NONE;
            if (arch == Architecture.OLMO2 && window.size() > 0 && rope.attentionFactor() != 1) {
                throw bad(file, "'" + p + "rope.scaling.attn_factor' = " + rope.attentionFactor() + ": llama.cpp's olmo2 leaves it out of "
                        + "the sliding-window layers and applies it to the others; Tangram applies it to every layer");
            }
            return new LlamaConfig(layers, dim, heads, kvHeads, headDim, ffn, vocab,
                    context, ropeTheta, m.getFloat(p + "attention.layer_norm_rms_epsilon", 1e-5f), arch, rope,
                    arch.gemmaBlock() ? gemmaScales(file, arch, p, layers, dim, heads, headDim) : scales(file, arch, p, originalContext), window, rotated,
                    longRope(file, arch, p), experts(file, arch, p, ffn));
        } catch (IllegalArgumentException e) {
            throw new GgufFormatException(file.path() + ": " + e.getMessage(), e);
        }
    }

    /**
     * RoPE's scaling, as llama.cpp reads it for these architectures: {@code rope.scaling.type} ({@code linear} where absent,
     * {@code none}, or {@code yarn}); the factor {@code rope.scaling.factor} (or the older {@code rope.scale_linear}; none
     * where absent or 0), which positions are divided by; for YaRN the original context
     * {@code originalContext} ({@code rope.scaling.original_context_length}, the file's context where absent) and llama.cpp's rotation bounds
     * (its {@code yarn_beta_fast}, {@code yarn_beta_slow} and {@code yarn_log_multiplier} keys are read for {@code mistral3}
     * only, as llama.cpp reads them); and {@code rope.scaling.attn_factor} (1 where absent), which every layer's rotated
     * values are multiplied by.
     */
    static RopeScaling rope(GgufFile file, Architecture arch, String p, int originalContext) {
        GgufMetadata m = file.metadata();
        String type = m.findString(p + "rope.scaling.type").orElse("linear");
        float factor = m.getFloat(p + "rope.scaling.factor", m.getFloat(p + "rope.scale_linear", 0f));
        float attention = m.getFloat(p + "rope.scaling.attn_factor", 1f);
        if (!(attention > 0 && Float.isFinite(attention))) {
            throw bad(file, "'" + p + "rope.scaling.attn_factor' = " + attention + " is not a positive number");
        }
        if (!type.equals("none") && (factor < 0 || !Float.isFinite(factor))) {
            throw bad(file, "'" + p + "rope.scaling.factor' = " + factor + " is not a positive number");
        }
        float scale = factor == 0 ? 1f : 1f / factor;
        return switch (type) {
            case "none" -> new RopeScaling(1f, attention, RopeScaling.Yarn.NONE);
            case "linear" -> new RopeScaling(scale, attention, RopeScaling.Yarn.NONE);
            case "yarn" -> {
                if (factor != 0 && factor < 1) {
                    throw bad(file, "'" + p + "rope.scaling.factor' = " + factor + ": YaRN extends a context, by a factor of at least 1");
                }
                if (originalContext < 1) {
                    throw bad(file, "'" + p + "rope.scaling.original_context_length' = " + originalContext + " is not a positive number");
                }
                if (arch != Architecture.MISTRAL3) {
                    yield new RopeScaling(scale, attention, RopeScaling.Yarn.of(originalContext));
                }
                try {
                    yield new RopeScaling(scale, attention, new RopeScaling.Yarn(originalContext, m.getFloat(p + "rope.scaling.yarn_beta_fast", 32f),
                            m.getFloat(p + "rope.scaling.yarn_beta_slow", 1f), m.getFloat(p + "rope.scaling.yarn_log_multiplier", 0f)));
                } catch (IllegalArgumentException e) {
                    throw bad(file, "'" + p + "rope.scaling.yarn_beta_fast', 'yarn_beta_slow' or 'yarn_log_multiplier': " + e.getMessage());
                }
            }
            default -> throw bad(file, "'" + p + "rope.scaling.type' = '" + type + "' is not supported (none, linear, yarn); "
                    + "Tangram would place positions differently from the model's training");
        };
    }

    /** Granite's multipliers ({@code logit_scale} required, the others optional, 0 meaning none, as llama.cpp reads them). */
    static DecoderScales scales(GgufFile file, Architecture arch, String p, int originalContext) {
        if (arch == Architecture.MISTRAL3) {
            return queryTemperature(file, p, originalContext);
        }
        if (!arch.multipliers()) {
            return DecoderScales.NONE;
        }
        GgufMetadata m = file.metadata();
        float embedding = m.getFloat(p + "embedding_scale", 0f);
        float residual = m.getFloat(p + "residual_scale", 0f);
        float logit = m.getFloat(p + "logit_scale");
        if (logit == 0) {
            throw bad(file, "'" + p + "logit_scale' is 0; the logits are divided by it");
        }
        return new DecoderScales(embedding == 0 ? 1 : embedding, residual == 0 ? 1 : residual, m.getFloat(p + "attention.scale", 0f), logit);
    }

    /**
     * Mistral 3's temperature tuning of the queries, as llama.cpp reads it: {@code attention.temperature_scale} (none where
     * absent or 0), in steps of the YaRN original context ({@code originalContext}: {@code rope.scaling.original_context_length},
     * the file's context where absent).
     */
    static DecoderScales queryTemperature(GgufFile file, String p, int originalContext) {
        GgufMetadata m = file.metadata();
        float beta = m.getFloat(p + "attention.temperature_scale", 0f);
        if (!Float.isFinite(beta)) {
            throw bad(file, "'" + p + "attention.temperature_scale' = " + beta + " is not a number");
        }
        if (beta == 0) {
            return DecoderScales.NONE;
        }
        if (originalContext < 1) {
            throw bad(file, "'" + p + "rope.scaling.original_context_length' = " + originalContext + ": the query temperature steps by it");
        }
        return new DecoderScales(1, 1, 0, 1, 0, 0, beta, originalContext);
    }

    /**
     * Gemma's multipliers, as llama.cpp sets them: embeddings times √dim; attention scores times 1/√headDim, but
     * 1/√(dim/heads) for the 27B models (Gemma 3's 62 layers, Gemma 2's 46), as Gemma's own code has it;
     * {@code final_logit_softcapping} (Gemma 3: where the file has it; Gemma 2: 30 where absent) and Gemma 2's
     * {@code attn_logit_softcapping} (50 where absent).
     */
    static DecoderScales gemmaScales(GgufFile file, Architecture arch, String p, int layers, int dim, int heads, int headDim) {
        boolean gemma2 = arch == Architecture.GEMMA2;
        float cap = cap(file, p + "final_logit_softcapping", gemma2 ? 30f : 0f);
        float attentionCap = gemma2 ? cap(file, p + "attn_logit_softcapping", 50f) : 0f;
        boolean big = layers == (gemma2 ? 46 : 62);
        float attention = (float) (1 / Math.sqrt(big ? (double) dim / heads : headDim));
        return new DecoderScales((float) Math.sqrt(dim), 1, attention, 1, cap, attentionCap);
    }

    private static float cap(GgufFile file, String key, float fallback) {
        float cap = file.metadata().getFloat(key, fallback);
        if (cap < 0 || !Float.isFinite(cap)) {
            throw bad(file, "'" + key + "' = " + cap + " is not a positive number");
        }
        return cap;
    }

    /**
     * Gemma's and OLMo 3's sliding window, as llama.cpp reads it: {@code attention.sliding_window} (Gemma 3, OLMo 2: absent
     * or 0, no layer slides; Gemma 2: 4096 where absent); which layers slide from {@code attention.sliding_window_pattern},
     * a number n (every nth layer global; 6 for Gemma 3, 2 for Gemma 2 and 4 for OLMo where absent) or one boolean per
     * layer; the local layers' RoPE base from {@code rope.freq_base_swa} (where absent: Gemma 3's 10000, Gemma 2's global
     * base; OLMo's is always the global base, which llama.cpp's olmo2 graph passes whatever the key says), their RoPE scale
     * none for Gemma 3 and OLMo and the global layers' for Gemma 2. EXAONE 4's: only for 64 layers (the 32B, as llama.cpp
     * decides), 4096 positions and a pattern of 4 where absent, the global base and scale where the file names no base.
     * gpt-oss's: the window required (128 in its files), every other layer sliding from the first where the file names no
     * pattern, the global base (where the file names none) and scale.
     */
    static SlidingWindow window(GgufFile file, Architecture arch, String p, int layers, float ropeTheta, float ropeScale) {
        GgufMetadata m = file.metadata();
        boolean gemma2 = arch == Architecture.GEMMA2;
        boolean exaone4 = arch == Architecture.EXAONE4;
        boolean gptOss = arch == Architecture.GPT_OSS;
        if (exaone4 && layers != Architecture.EXAONE4_WINDOWED_LAYERS) {
            return SlidingWindow.NONE; // llama.cpp slides a window in the 64-layer EXAONE 4.0 32B only
        }
        if (gptOss && !m.contains(p + "attention.sliding_window")) {
            throw bad(file, "'" + p + "attention.sliding_window' is missing; gpt-oss's every other layer slides a window (llama.cpp "
                    + "requires the key too)");
        }
        int size = m.getInt(p + "attention.sliding_window", gemma2 || exaone4 ? 4096 : 0);
        if (size < 0) {
            throw bad(file, "'" + p + "attention.sliding_window' = " + size + " is negative");
        }
        if (size == 0) {
            return SlidingWindow.NONE;
        }
        String key = p + "attention.sliding_window_pattern";
        java.util.BitSet local;
        if (m.contains(key) && m.get(key).type() == GgufValueType.ARRAY) {
            if (!(m.get(key).value() instanceof boolean[] flags) || flags.length != layers) {
                throw bad(file, "'" + key + "' must be a number or " + layers + " booleans, one per layer");
            }
            local = new java.util.BitSet(layers);
            for (int l = 0; l < layers; l++) {
                local.set(l, flags[l]);
            }
        } else {
            int n = m.getInt(key, gemma2 || gptOss ? 2 : arch == Architecture.OLMO2 || exaone4 ? 4 : 6);
            if (n < 0) {
                throw bad(file, "'" + key + "' = " + n + " is negative");
            }
            local = SlidingWindow.pattern(n, layers);
        }
        boolean globalRope = gemma2 || exaone4 || gptOss;
        float localTheta = arch == Architecture.OLMO2 ? ropeTheta : m.getFloat(p + "rope.freq_base_swa", globalRope ? ropeTheta : 10000f);
        return local.isEmpty() ? SlidingWindow.NONE : new SlidingWindow(size, local, localTheta, globalRope ? ropeScale : 1f);
    }

    /**
     * Phi-3's LongRoPE, where the file has its factors ({@code rope_factors_long.weight}): the original context
     * ({@code rope.scaling.original_context_length}, required then), past which the long factors apply.
     */
    static LlamaConfig.LongRope longRope(GgufFile file, Architecture arch, String p) {
        if (arch != Architecture.PHI3 || file.findTensor("rope_factors_long.weight").isEmpty()) {
            return LlamaConfig.LongRope.NONE;
        }
        GgufMetadata m = file.metadata();
        String key = p + "rope.scaling.original_context_length";
        if (!m.contains(key)) {
            throw bad(file, "'" + key + "' is missing; a file with LongRoPE factors (rope_factors_long.weight) needs it to choose them");
        }
        int original = m.getInt(key);
        if (original < 1) {
            throw bad(file, "LongRoPE needs a positive '" + key + "', not " + original);
        }
        return new LlamaConfig.LongRope(original);
    }

    /**
     * The mixture of experts, as llama.cpp reads it: {@code expert_count} (0 or absent: dense) and {@code expert_used_count}
     * for an architecture that may have experts; an expert's width {@code expert_feed_forward_length} for {@code qwen3moe}
     * (its {@code feed_forward_length} ÷ the experts used where absent) and {@code gpt-oss} (required),
     * {@code feed_forward_length} for the others. Refused,
     * naming the key: experts in an architecture Tangram runs dense, shared experts, a gating function other than softmax,
     * a used count per layer.
     */
    static Experts experts(GgufFile file, Architecture arch, String p, int ffn) {
        GgufMetadata m = file.metadata();
        int count = m.getInt(p + "expert_count", 0);
        if (count == 0) {
            if (arch.experts()) {
                throw bad(file, "'" + p + "expert_count' is missing or 0; every " + arch.ggufName() + " block's FFN is a mixture of experts");
            }
            return Experts.NONE;
        }
        if (!arch.allowsExperts()) {
            throw bad(file, "'" + p + "expert_count' = " + count + ": Tangram runs " + arch.ggufName() + " with dense FFNs only (experts: "
                    + Architecture.expertNames() + ")");
        }
        String usedKey = p + "expert_used_count";
        if (!m.contains(usedKey) || m.get(usedKey).type() == GgufValueType.ARRAY) {
            throw bad(file, "'" + usedKey + "' must be one number, the experts each token goes through");
        }
        for (String shared : new String[] {"expert_shared_count", "expert_shared_feed_forward_length"}) {
            if (m.getInt(p + shared, 0) != 0) {
                throw bad(file, "'" + p + shared + "' = " + m.getInt(p + shared) + ": shared experts are not supported");
            }
        }
        int gating = m.getInt(p + "expert_gating_func", 1);
        // llama.cpp's gpt-oss graph routes by its own softmax over the chosen logits, whatever the key says
        if (gating != 1 && !arch.oaiExperts()) {
            throw bad(file, "'" + p + "expert_gating_func' = " + gating + ": Tangram's router takes softmax gating (1) only");
        }
        int used = m.getInt(usedKey);
        int width = switch (arch) {
            case QWEN3MOE -> m.getInt(p + "expert_feed_forward_length", used > 0 ? ffn / used : 0);
            case GPT_OSS -> m.getInt(p + "expert_feed_forward_length");
            default -> ffn;
        };
        return new Experts(count, used, width);
    }

    private static GgufFormatException bad(GgufFile file, String why) {
        return new GgufFormatException(file.path() + ": " + why);
    }
}
