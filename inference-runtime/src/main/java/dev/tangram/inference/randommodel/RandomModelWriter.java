package dev.tangram.inference.randommodel;

import dev.tangram.inference.gguf.GgmlType;
import dev.tangram.inference.gguf.GgufValue;
import dev.tangram.inference.gguf.GgufWriter;
import dev.tangram.inference.kernels.BlockQuantizer;
import dev.tangram.inference.model.Architecture;
import dev.tangram.inference.tokenizer.ByteLevelBpeTrainer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Writes a Llama-shaped GGUF file (architecture {@code llama}, {@code qwen2}, {@code qwen3}, {@code granite}, {@code gemma3},
 * {@code gemma2}, {@code phi3}, {@code smollm3}, {@code olmo2}, {@code mistral3}, {@code glm4}, {@code exaone4}, {@code qwen3moe} or
 * {@code granitemoe}; Mixtral-style {@code llama} with experts) with
 * seeded random weights and a byte-level BPE vocabulary learned from Tangram's built-in corpus. Metadata and tensor names follow llama.cpp's ({@code general.*}, {@code <arch>.*},
 * {@code tokenizer.ggml.*}, {@code token_embd.weight}, {@code blk.N.attn_q.weight}, ...). Matrices are uniform in
 * {@code ±sqrt(3 / fan_in)} (unit variance out for unit variance in), so activations stay in a sane range through the
 * layers; norms are near 1.
 */
public final class RandomModelWriter {
    /** llama.cpp's chat template for Llama 3 style prompts. */
    public static final String CHAT_TEMPLATE = "{{ bos_token }}{% for message in messages %}<|start_header_id|>{{ message['role'] }}"
            + "<|end_header_id|>\n\n{{ message['content'] | trim }}<|eot_id|>{% endfor %}{% if add_generation_prompt %}"
            + "<|start_header_id|>assistant<|end_header_id|>\n\n{% endif %}";
    /** A {@code gpt-oss} model's: Harmony messages, each answer in the final channel. */
    public static final String HARMONY_CHAT_TEMPLATE = "{% for message in messages %}<|start|>{{ message['role'] }}{% if message['role'] == "
            + "'assistant' %}<|channel|>final{% endif %}<|message|>{{ message['content'] }}<|end|>{% endfor %}{% if add_generation_prompt %}"
            + "<|start|>assistant{% endif %}";

    /** Granite 3.1 2B's multipliers, written for {@code granite} models. */
    static final float GRANITE_EMBEDDING_SCALE = 12f, GRANITE_RESIDUAL_SCALE = 0.22f, GRANITE_ATTENTION_SCALE = 0.015625f,
            GRANITE_LOGIT_SCALE = 8f;
    /** The soft caps a random {@code gemma2} model carries (Gemma 2's own are 50 and 30). */
    public static final float GEMMA2_ATTENTION_CAP = 0.5f, GEMMA2_LOGIT_CAP = 1f;
    /** Seeds of the tensors only some architectures have start here, so a {@code llama} model's weights stay as they were. */
    private static final int EXTRA_SEEDS = 1_000_000;

    private RandomModelWriter() {}

    /** Every matrix in {@code spec}'s type. */
    public static void write(RandomModelSpec spec, Path out) throws IOException {
        write(spec, QuantMix.uniform(spec.quant()), out);
    }

    /** The matrices in the types {@code mix} gives them ({@code spec}'s type is checked against the shape). */
    public static void write(RandomModelSpec spec, QuantMix mix, Path out) throws IOException {
        write(spec, mix, 0, out);
    }

    /**
     * As {@link #write(RandomModelSpec, QuantMix, Path)}, a Gemma model's local layers sliding a window of
     * {@code slidingWindow} positions (0: {@link #slidingWindow(RandomModelSpec)}), so that a file can have Gemma 2's
     * 4,096 or Gemma 3's 512 whatever its context.
     */
    public static void write(RandomModelSpec spec, QuantMix mix, int slidingWindow, Path out) throws IOException {
        writer(spec, mix, slidingWindow).write(out);
    }

    /**
     * As {@link #write(RandomModelSpec, QuantMix, int, Path)}, split over files of at most {@code maxTensors} tensors each
     * as llama.cpp's {@code gguf-split} splits a model ({@link GgufWriter#writeSplit}): {@code PREFIX-00001-of-0000N.gguf}
     * and on, returned in order.
     */
    public static List<Path> writeSplit(RandomModelSpec spec, QuantMix mix, int slidingWindow, Path prefix, int maxTensors)
            throws IOException {
        return writer(spec, mix, slidingWindow).writeSplit(prefix, maxTensors);
    }

    /** The model's metadata and tensors, ready to write. */
    private static GgufWriter writer(RandomModelSpec spec, QuantMix mix, int slidingWindow) {
        int window = slidingWindow(spec, slidingWindow);
        ByteLevelBpeTrainer.Trained bpe = ByteLevelBpeTrainer.train(ByteLevelBpeTrainer.builtInCorpus(),
                spec.vocab() - spec.specials().length);
        String[] tokens = new String[spec.vocab()];
        int[] types = new int[spec.vocab()];
        for (int i = 0; i < bpe.tokens().size(); i++) {
            tokens[i] = bpe.tokens().get(i);
            types[i] = 1; // normal
        }
        int firstSpecial = bpe.tokens().size();
        String[] specials = spec.specials();
        for (int i = 0; i < specials.length; i++) {
            tokens[firstSpecial + i] = specials[i];
            types[firstSpecial + i] = 3; // control
        }

        GgufWriter w = new GgufWriter();
        String a = spec.architecture().ggufName();
        w.put("general.architecture", GgufValue.ofString(a));
        String family = spec.architecture() == Architecture.LLAMA ? "" : a + "-";
        w.put("general.name", GgufValue.ofString("tangram-random-" + family + spec.layers() + "x" + spec.dim() + "-" + mix.name()));
        w.put("general.file_type", GgufValue.ofUint32(mix.fileType()));
        if (spec.quant().blockElements() > 1) {
            w.put("general.quantization_version", GgufValue.ofUint32(2));
        }
        w.put(a + ".context_length", GgufValue.ofUint32(spec.contextLength()));
        w.put(a + ".embedding_length", GgufValue.ofUint32(spec.dim()));
        w.put(a + ".block_count", GgufValue.ofUint32(spec.layers()));
        w.put(a + ".feed_forward_length", GgufValue.ofUint32(spec.ffn()));
        w.put(a + ".attention.head_count", GgufValue.ofUint32(spec.heads()));
        w.put(a + ".attention.head_count_kv", GgufValue.ofUint32(spec.kvHeads()));
        if (spec.qDim() != spec.dim()) {
            w.put(a + ".attention.key_length", GgufValue.ofUint32(spec.headDim()));
            w.put(a + ".attention.value_length", GgufValue.ofUint32(spec.headDim()));
        }
        w.put(a + ".rope.freq_base", GgufValue.ofFloat32(spec.ropeTheta()));
        // GLM-4 rotates the first half of each head
        w.put(a + ".rope.dimension_count", GgufValue.ofUint32(spec.architecture() == Architecture.GLM4 ? spec.headDim() / 2 : spec.headDim()));
        w.put(a + ".attention.layer_norm_rms_epsilon", GgufValue.ofFloat32(1e-5f));
        w.put(a + ".vocab_size", GgufValue.ofUint32(spec.vocab()));
        if (spec.architecture().multipliers()) {
            // IBM Granite 3.1 2B's values
            w.put(a + ".embedding_scale", GgufValue.ofFloat32(GRANITE_EMBEDDING_SCALE));
            w.put(a + ".residual_scale", GgufValue.ofFloat32(GRANITE_RESIDUAL_SCALE));
            w.put(a + ".attention.scale", GgufValue.ofFloat32(GRANITE_ATTENTION_SCALE));
            w.put(a + ".logit_scale", GgufValue.ofFloat32(GRANITE_LOGIT_SCALE));
        }
        if (spec.experts().present()) {
            w.put(a + ".expert_count", GgufValue.ofUint32(spec.experts().count()));
            w.put(a + ".expert_used_count", GgufValue.ofUint32(spec.experts().used()));
            if (spec.architecture() == Architecture.QWEN3MOE || spec.architecture() == Architecture.GPT_OSS) {
                w.put(a + ".expert_feed_forward_length", GgufValue.ofUint32(spec.experts().ffn()));
            }
        }
        if (spec.architecture() == Architecture.GEMMA3) {
            // Gemma 3 slides a window of 512 over five layers in six; a random model's is small enough for short test
            // prompts to pass it, and with fewer than six layers the last one is global
            w.put(a + ".attention.sliding_window", GgufValue.ofUint32(window));
            w.put(a + ".attention.sliding_window_pattern", GgufValue.ofUint32(Math.min(6, spec.layers())));
            // the local layers' RoPE base a hundredth of the global one's, as Gemma 3's (10000 against 1000000)
            w.put(a + ".rope.freq_base_swa", GgufValue.ofFloat32(spec.ropeTheta() / 100));
        }
        if (spec.architecture() == Architecture.OLMO2 && window > 0) {
            // OLMo 3 slides a window of 4096 over three layers in four, written as llama.cpp's converter writes it: one
            // boolean per layer
            boolean[] local = new boolean[spec.layers()];
            for (int l = 0; l < local.length; l++) {
                local[l] = (l + 1) % 4 != 0;
            }
            w.put(a + ".attention.sliding_window", GgufValue.ofUint32(window));
            w.put(a + ".attention.sliding_window_pattern", GgufValue.ofBools(local));
        }
        if ((spec.architecture() == Architecture.GPT_OSS || spec.architecture() == Architecture.EXAONE4) && window > 0) {
            // gpt-oss's window of 128 over every other layer, from the first, and EXAONE 4.0 32B's (llama.cpp slides it in
            // 64-layer files only, three layers in four): the patterns llama.cpp takes where the file names none
            w.put(a + ".attention.sliding_window", GgufValue.ofUint32(window));
        }
        if (spec.architecture() == Architecture.GEMMA2) {
            // Gemma 2 slides a window of 4096 over every other layer and caps its scores at 50 and its logits at 30; a
            // random model's window is small enough for short prompts to pass it, and its caps low enough to bite on
            // random weights' small scores and logits
            w.put(a + ".attention.sliding_window", GgufValue.ofUint32(window));
            w.put(a + ".attn_logit_softcapping", GgufValue.ofFloat32(GEMMA2_ATTENTION_CAP));
            w.put(a + ".final_logit_softcapping", GgufValue.ofFloat32(GEMMA2_LOGIT_CAP));
        }
        w.put("tokenizer.ggml.model", GgufValue.ofString("gpt2"));
        w.put("tokenizer.ggml.pre", GgufValue.ofString("llama-bpe"));
        w.put("tokenizer.ggml.tokens", GgufValue.ofStrings(tokens));
        w.put("tokenizer.ggml.token_type", GgufValue.ofInt32s(types));
        w.put("tokenizer.ggml.merges", GgufValue.ofStrings(bpe.merges().toArray(String[]::new)));
        w.put("tokenizer.ggml.bos_token_id", GgufValue.ofUint32(firstSpecial));
        w.put("tokenizer.ggml.eos_token_id", GgufValue.ofUint32(firstSpecial + 1));
        w.put("tokenizer.ggml.eot_token_id", GgufValue.ofUint32(firstSpecial + 4));
        w.put("tokenizer.ggml.add_bos_token", GgufValue.ofBool(true));
        w.put("tokenizer.chat_template", GgufValue.ofString(spec.architecture() == Architecture.GPT_OSS ? HARMONY_CHAT_TEMPLATE : CHAT_TEMPLATE));

        int dim = spec.dim();
        int qd = spec.qDim();
        int kv = spec.kvHeads() * spec.headDim();
        int tensor = 0;
        GgmlType q = mix.base();
        GgmlType embd = mix.tokenEmbedding(spec.tied());
        matrix(w, "token_embd.weight", spec, tensor++, spec.vocab(), dim, embd, Math.sqrt(3.0 / dim));
        for (int l = 0; l < spec.layers(); l++) {
            String p = "blk." + l + ".";
            boolean pre = spec.architecture().preNorms();
            if (pre) {
                w.tensor(p + "attn_norm.weight", GgmlType.F32, dims(dim), norm(spec, tensor, dim));
            }
            tensor++;
            boolean phi3 = spec.architecture() == Architecture.PHI3;
            GgmlType more = mix.valueOrDown(l, spec.layers());
            if (phi3) {
                // Phi-3's Q, K and V in one matrix, Q's rows first
                matrix(w, p + "attn_qkv.weight", spec, tensor, qd + 2 * kv, dim, q, Math.sqrt(3.0 / dim));
                tensor += 3;
            } else {
                matrix(w, p + "attn_q.weight", spec, tensor++, qd, dim, q, Math.sqrt(3.0 / dim));
                matrix(w, p + "attn_k.weight", spec, tensor++, kv, dim, q, Math.sqrt(3.0 / dim));
                matrix(w, p + "attn_v.weight", spec, tensor++, kv, dim, more, Math.sqrt(3.0 / dim));
            }
            matrix(w, p + "attn_output.weight", spec, tensor++, dim, qd, q, Math.sqrt(3.0 / qd));
            if (pre) {
                w.tensor(p + spec.architecture().ffnNormName() + ".weight", GgmlType.F32, dims(dim), norm(spec, tensor, dim));
            }
            tensor++;
            if (spec.experts().present()) {
                // a mixture of experts: its router (F32, as llama.cpp's quantizer leaves it) and each projection's experts
                // stacked in one 3-D tensor
                int n = spec.experts().count();
                int ef = spec.experts().ffn();
                matrix(w, p + "ffn_gate_inp.weight", spec, EXTRA_SEEDS + 16 * l + 11, n, dim, GgmlType.F32, Math.sqrt(3.0 / dim));
                experts(w, p + "ffn_gate_exps.weight", spec, tensor++, n, ef, dim, q, Math.sqrt(3.0 / dim));
                experts(w, p + "ffn_down_exps.weight", spec, tensor++, n, dim, ef, more, Math.sqrt(3.0 / ef));
                experts(w, p + "ffn_up_exps.weight", spec, tensor++, n, ef, dim, q, Math.sqrt(3.0 / dim));
                if (spec.architecture().oaiExperts()) {
                    expertBiases(w, spec, l);
                }
            } else if (spec.architecture().fusedGateUp()) {
                // Phi-3's (GLM-4's) gate and up in one matrix, the gate's rows first
                tensor++;
                matrix(w, p + "ffn_down.weight", spec, tensor++, dim, spec.ffn(), more, Math.sqrt(3.0 / spec.ffn()));
                matrix(w, p + "ffn_up.weight", spec, tensor++, 2 * spec.ffn(), dim, q, Math.sqrt(3.0 / dim));
            } else {
                matrix(w, p + "ffn_gate.weight", spec, tensor++, spec.ffn(), dim, q, Math.sqrt(3.0 / dim));
                matrix(w, p + "ffn_down.weight", spec, tensor++, dim, spec.ffn(), more, Math.sqrt(3.0 / spec.ffn()));
                matrix(w, p + "ffn_up.weight", spec, tensor++, spec.ffn(), dim, q, Math.sqrt(3.0 / dim));
            }
            blockExtras(w, spec, l);
        }
        w.tensor("output_norm.weight", GgmlType.F32, dims(dim), norm(spec, tensor++, dim));
        if (!spec.tied()) {
            matrix(w, "output.weight", spec, tensor, spec.vocab(), dim, mix.output(), Math.sqrt(3.0 / dim));
        }
        if (spec.biases() && spec.architecture() == Architecture.QWEN2) {
            w.tensor("output.bias", GgmlType.F32, dims(spec.vocab()), vector(spec, EXTRA_SEEDS - 1, spec.vocab(), 0, 0.5));
        }
        return w;
    }

    /**
     * gpt-oss's biases of block {@code l}'s mixture: the router's [experts], and each projection's, one vector per expert in
     * a 2-D tensor ([width, experts]); uniform in ±0.5.
     */
    private static void expertBiases(GgufWriter w, RandomModelSpec spec, int l) {
        String p = "blk." + l + ".";
        int seed = EXTRA_SEEDS + 16 * l + 12;
        int n = spec.experts().count();
        int ef = spec.experts().ffn();
        w.tensor(p + "ffn_gate_inp.bias", GgmlType.F32, dims(n), vector(spec, seed, n, 0, 0.5));
        w.tensor(p + "ffn_gate_exps.bias", GgmlType.F32, dims(ef, n), vector(spec, seed + 1, ef * n, 0, 0.5));
        w.tensor(p + "ffn_up_exps.bias", GgmlType.F32, dims(ef, n), vector(spec, seed + 2, ef * n, 0, 0.5));
        w.tensor(p + "ffn_down_exps.bias", GgmlType.F32, dims(spec.dim(), n), vector(spec, seed + 3, spec.dim() * n, 0, 0.5));
    }

    /**
     * The window {@code spec}'s local layers get when {@code requested} is asked for: that, or with 0 the default
     * ({@link #slidingWindow(RandomModelSpec)}); refused where it is negative or the architecture has no local layers.
     */
    public static int slidingWindow(RandomModelSpec spec, int requested) {
        if (requested < 0) {
            throw new IllegalArgumentException("a sliding window must be positive, got " + requested);
        }
        if (requested > 0 && !spec.architecture().slides()) {
            throw new IllegalArgumentException("only gemma2, gemma3, olmo2, exaone4 and gpt-oss models slide a window, not "
                    + spec.architecture().ggufName());
        }
        return requested > 0 ? requested : slidingWindow(spec);
    }

    /**
     * The sliding window a random model carries: a Gemma model's is its context / 256, at least 4 and at most 512; an
     * {@code olmo2} model has none (OLMo 2's), unless one is asked for (OLMo 3's); an {@code exaone4} model names none
     * unless asked (llama.cpp gives a 64-layer one 4,096 positions anyway).
     */
    static int slidingWindow(RandomModelSpec spec) {
        return spec.architecture() == Architecture.OLMO2 || spec.architecture() == Architecture.EXAONE4 ? 0
                : Math.clamp(spec.contextLength() / 256, 4, 512);
    }

    /**
     * The tensors of block {@code l} that only some architectures have: Qwen2's Q, K and V biases (all seven of a block with
     * {@code llama} and {@code biases}), Qwen3's and Gemma 3's per-head Q and K norms (OLMo 2's over the whole projection),
     * Gemma's and OLMo 2's norms after attention and FFN. Biases are uniform in ±0.5, norms near 1.
     */
    private static void blockExtras(GgufWriter w, RandomModelSpec spec, int l) {
        String p = "blk." + l + ".";
        int seed = EXTRA_SEEDS + 16 * l;
        int kv = spec.kvHeads() * spec.headDim();
        boolean qwen2 = spec.architecture() == Architecture.QWEN2;
        boolean gptOss = spec.architecture() == Architecture.GPT_OSS;
        if (qwen2 || spec.architecture() == Architecture.GLM4 || gptOss || spec.biases()) {
            w.tensor(p + "attn_q.bias", GgmlType.F32, dims(spec.qDim()), vector(spec, seed, spec.qDim(), 0, 0.5));
            w.tensor(p + "attn_k.bias", GgmlType.F32, dims(kv), vector(spec, seed + 1, kv, 0, 0.5));
            w.tensor(p + "attn_v.bias", GgmlType.F32, dims(kv), vector(spec, seed + 2, kv, 0, 0.5));
        }
        if (gptOss) {
            // gpt-oss's output bias, and each head's sink: logits about as large as the scaled scores, so that some heads
            // give the sink much of their weight and some little
            w.tensor(p + "attn_output.bias", GgmlType.F32, dims(spec.dim()), vector(spec, seed + 3, spec.dim(), 0, 0.5));
            w.tensor(p + "attn_sinks.weight", GgmlType.F32, dims(spec.heads()), vector(spec, 2 * EXTRA_SEEDS + l, spec.heads(), 0, 2));
        }
        if (spec.biases() && !qwen2) {
            w.tensor(p + "attn_output.bias", GgmlType.F32, dims(spec.dim()), vector(spec, seed + 3, spec.dim(), 0, 0.5));
            w.tensor(p + "ffn_gate.bias", GgmlType.F32, dims(spec.ffn()), vector(spec, seed + 4, spec.ffn(), 0, 0.5));
            w.tensor(p + "ffn_up.bias", GgmlType.F32, dims(spec.ffn()), vector(spec, seed + 5, spec.ffn(), 0, 0.5));
            w.tensor(p + "ffn_down.bias", GgmlType.F32, dims(spec.dim()), vector(spec, seed + 6, spec.dim(), 0, 0.5));
        }
        if (spec.architecture().qkNorm()) {
            // per head, or over the whole projection (OLMo 2's)
            boolean whole = spec.architecture().wholeQkNorm();
            int qWidth = whole ? spec.qDim() : spec.headDim();
            int kWidth = whole ? kv : spec.headDim();
            w.tensor(p + "attn_q_norm.weight", GgmlType.F32, dims(qWidth), vector(spec, seed + 7, qWidth, 1, 0.1));
            w.tensor(p + "attn_k_norm.weight", GgmlType.F32, dims(kWidth), vector(spec, seed + 8, kWidth, 1, 0.1));
        }
        if (spec.architecture().postNorms()) {
            w.tensor(p + "post_attention_norm.weight", GgmlType.F32, dims(spec.dim()), vector(spec, seed + 9, spec.dim(), 1, 0.1));
            w.tensor(p + "post_ffw_norm.weight", GgmlType.F32, dims(spec.dim()), vector(spec, seed + 10, spec.dim(), 1, 0.1));
        }
    }

    /** llama.cpp's {@code general.file_type} for a model whose matrices are all {@code type}. */
    static int fileType(GgmlType type) {
        return switch (type) {
            case F32 -> 0;
            case F16 -> 1;
            case Q4_0 -> 2;
            case Q4_1 -> 3;
            case Q5_0 -> 8;
            case Q5_1 -> 9;
            case Q8_0 -> 7;
            case Q4_K -> 14; // "mostly Q4_K, small": every matrix Q4_K
            case Q5_K -> 16;
            case Q6_K -> 18;
            case BF16 -> 32;
            case MXFP4 -> 38; // llama.cpp's "MXFP4 MoE"
            default -> throw new IllegalArgumentException(type.toString());
        };
    }

    private static long[] dims(long... d) {
        return d;
    }

    /** A matrix tensor in {@code type}, or in llama.cpp's fallback where its rows do not fit that type's blocks ({@link QuantMix#fit}). */
    private static void matrix(GgufWriter w, String name, RandomModelSpec spec, int tensor, int rows, int cols, GgmlType type, double bound) {
        GgmlType fitted = QuantMix.fit(type, cols);
        w.tensor(name, fitted, dims(cols, rows), matrix(spec, tensor, rows, cols, fitted, bound));
    }

    /** {@code count} matrices of {@code rows × cols} in one 3-D tensor ({@code [cols, rows, count]}), the first's rows first. */
    private static void experts(GgufWriter w, String name, RandomModelSpec spec, int tensor, int count, int rows, int cols, GgmlType type,
                                double bound) {
        GgmlType fitted = QuantMix.fit(type, cols);
        w.tensor(name, fitted, dims(cols, rows, count), matrix(spec, tensor, count * rows, cols, fitted, bound));
    }

    private static GgufWriter.TensorData matrix(RandomModelSpec spec, int tensor, int rows, int cols, GgmlType type, double bound) {
        return out -> {
            SplittableRandom random = new SplittableRandom(spec.seed() * 1_000_003L + tensor);
            float[] row = new float[cols];
            ByteBuffer buf = ByteBuffer.allocate(BlockQuantizer.bytes(type, cols));
            for (int r = 0; r < rows; r++) {
                for (int c = 0; c < cols; c++) {
                    row[c] = (float) ((random.nextDouble() * 2 - 1) * bound);
                }
                buf.clear();
                BlockQuantizer.encode(type, row, 0, cols, buf);
                out.write(buf.array(), 0, buf.position());
            }
        };
    }

    private static GgufWriter.TensorData norm(RandomModelSpec spec, int tensor, int n) {
        return vector(spec, tensor, n, 1, 0.1);
    }

    /** F32 values uniform in {@code center ± spread}. */
    private static GgufWriter.TensorData vector(RandomModelSpec spec, int tensor, int n, double center, double spread) {
        return out -> {
            SplittableRandom random = new SplittableRandom(spec.seed() * 1_000_003L + tensor);
            float[] v = new float[n];
            for (int i = 0; i < n; i++) {
                v[i] = (float) (center + (random.nextDouble() * 2 - 1) * spread);
            }
            ByteBuffer buf = ByteBuffer.allocate(4 * n);
            BlockQuantizer.encode(GgmlType.F32, v, 0, n, buf);
            out.write(buf.array(), 0, buf.position());
        };
    }

}
