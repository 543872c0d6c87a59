package dev.tangram.inference.model;

import dev.tangram.inference.gguf.GgufFile;
import dev.tangram.inference.gguf.GgufFormatException;
import dev.tangram.inference.gguf.GgufTensor;
import dev.tangram.inference.kernels.WeightMatrix;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * The weights of a Llama-family decoder, by their GGUF tensor names. Matrices are bound to the mapped file (and may be
 * rearranged into memory of their own at load, {@link #mapMatrices}); norm vectors (small) are decoded to floats.
 *
 * @param tokenEmbedding {@code token_embd.weight}: [vocab rows × dim]
 * @param layers         one entry per block
 * @param outputNorm     {@code output_norm.weight}: [dim]
 * @param output         {@code output.weight} [vocab × dim], or the token embedding when absent (tied embeddings)
 * @param ropeFreqFactors {@code rope_freqs.weight} [ropeDims / 2], dividing each RoPE frequency (or Phi-3's long or short
 *                       LongRoPE factors, as the served context chooses), or null
 * @param outputBias     {@code output.bias} [vocab], added to the logits, or null
 */
public record LlamaWeights(WeightMatrix tokenEmbedding, Layer[] layers, float[] outputNorm, WeightMatrix output, float[] ropeFreqFactors,
                           float[] outputBias) {

    /**
     * One transformer block.
     *
     * @param attnNorm {@code blk.N.attn_norm.weight} [dim], or null where the block has no norm before attention (OLMo 2)
     * @param wq       {@code blk.N.attn_q.weight} [heads·headDim × dim]
     * @param wk       {@code blk.N.attn_k.weight} [kvHeads·headDim × dim]
     * @param wv       {@code blk.N.attn_v.weight} [kvHeads·headDim × dim]
     * @param wo       {@code blk.N.attn_output.weight} [dim × heads·headDim]
     * @param ffnNorm  {@code blk.N.ffn_norm.weight} [dim], or null as {@code attnNorm}
     * @param wGate    {@code blk.N.ffn_gate.weight} [ffn × dim]
     * @param wUp      {@code blk.N.ffn_up.weight} [ffn × dim]
     * @param wDown    {@code blk.N.ffn_down.weight} [dim × ffn]
     * @param biases   the block's optional biases
     * @param qNorm    {@code blk.N.attn_q_norm.weight} [headDim], RMSNorm of each query head before RoPE ([heads·headDim]
     *                 where the architecture normalises the whole projection: OLMo 2), or null
     * @param kNorm    {@code blk.N.attn_k_norm.weight} [headDim] ([kvHeads·headDim]), the same for the keys, or null
     * @param postAttnNorm {@code blk.N.post_attention_norm.weight} [dim], RMSNorm of the attention's output before it
     *                 joins the residual stream (Gemma's, OLMo 2's), or null
     * @param postFfnNorm {@code blk.N.post_ffw_norm.weight} [dim], the same for the FFN's output, or null
     * @param experts  the block's experts where its FFN is a mixture of them (then {@code wGate}, {@code wUp} and
     *                 {@code wDown} are null), else null
     * @param sinks    {@code blk.N.attn_sinks.weight} [heads], each head's sink logit (gpt-oss's), or null
     */
    public record Layer(float[] attnNorm, WeightMatrix wq, WeightMatrix wk, WeightMatrix wv, WeightMatrix wo, float[] ffnNorm,
                        WeightMatrix wGate, WeightMatrix wUp, WeightMatrix wDown, Biases biases, float[] qNorm, float[] kNorm,
                        float[] postAttnNorm, float[] postFfnNorm, ExpertWeights experts, float[] sinks) {
        /** This block with other matrices and the same vectors. */
        Layer withMatrices(UnaryOperator<WeightMatrix> f) {
            UnaryOperator<WeightMatrix> g = m -> m == null ? null : f.apply(m);
            return new Layer(attnNorm, f.apply(wq), f.apply(wk), f.apply(wv), f.apply(wo), ffnNorm, g.apply(wGate), g.apply(wUp), g.apply(wDown),
                    biases, qNorm, kNorm, postAttnNorm, postFfnNorm, experts == null ? null : experts.withMatrices(f), sinks);
        }

        /** The block's matrices in the order a step multiplies with them (a mixture's router, then each expert's three). */
        List<WeightMatrix> matrices() {
            List<WeightMatrix> out = new ArrayList<>(List.of(wq, wk, wv, wo));
            if (experts == null) {
                out.addAll(List.of(wGate, wUp, wDown));
            } else {
                out.add(experts.router);
                for (int e = 0; e < experts.gate.length; e++) {
                    out.addAll(List.of(experts.gate[e], experts.up[e], experts.down[e]));
                }
            }
            return out;
        }
    }

    /**
     * A block's mixture of experts, each expert's matrices a view of its slice of the file's 3-D tensors.
     *
     * @param router {@code blk.N.ffn_gate_inp.weight} [experts × dim]: the router's logit of each expert
     * @param gate   {@code blk.N.ffn_gate_exps.weight}, per expert [expertFfn × dim]
     * @param up     {@code blk.N.ffn_up_exps.weight}, per expert [expertFfn × dim]
     * @param down   {@code blk.N.ffn_down_exps.weight}, per expert [dim × expertFfn]
     * @param biases the router's and the experts' biases (gpt-oss's), or null
     */
    public record ExpertWeights(WeightMatrix router, WeightMatrix[] gate, WeightMatrix[] up, WeightMatrix[] down, ExpertBiases biases) {
        ExpertWeights withMatrices(UnaryOperator<WeightMatrix> f) {
            return new ExpertWeights(f.apply(router), map(gate, f), map(up, f), map(down, f), biases);
        }

        private static WeightMatrix[] map(WeightMatrix[] ms, UnaryOperator<WeightMatrix> f) {
            return java.util.Arrays.stream(ms).map(f).toArray(WeightMatrix[]::new);
        }
    }

    /**
     * A mixture's biases (gpt-oss's), each added to its product: {@code blk.N.ffn_gate_inp.bias} [experts] to the router's
     * logits, and per expert its slice of {@code ffn_gate_exps.bias} and {@code ffn_up_exps.bias} [expertFfn × experts]
     * and of {@code ffn_down_exps.bias} [dim × experts].
     */
    public record ExpertBiases(float[] router, float[][] gate, float[][] up, float[][] down) {
        /** Floats in all of them. */
        long floats() {
            long n = router.length;
            for (int e = 0; e < gate.length; e++) {
                n += gate[e].length + up[e].length + down[e].length;
            }
            return n;
        }
    }

    /**
     * A block's biases, each added to its matrix's product, each null where the file has none ({@code blk.N.attn_q.bias}
     * …; Qwen2 has Q, K and V's, llama.cpp's {@code llama} takes all seven where present).
     */
    public record Biases(float[] q, float[] k, float[] v, float[] o, float[] gate, float[] up, float[] down) {}

    public boolean tiedEmbeddings() {
        return output == tokenEmbedding;
    }

    /**
     * Every matrix a decode step may multiply with, in the order it does: each layer's seven (or four, the router and
     * every expert's three), then the output.
     */
    public List<WeightMatrix> matrices() {
        List<WeightMatrix> out = new ArrayList<>();
        for (Layer l : layers) {
            out.addAll(l.matrices());
        }
        out.add(output);
        return out;
    }

    /** Bytes of all weights: the embedding, every matrix of {@link #matrices()} (a tied output only once) and every vector. */
    public long bytes() {
        long n = tokenEmbedding.bytes() + 4L * (outputNorm.length + length(outputBias) + length(ropeFreqFactors));
        for (Layer l : layers) {
            Biases b = l.biases;
            n += 4L * (length(l.attnNorm) + length(l.ffnNorm) + length(l.qNorm) + length(l.kNorm) + length(b.q) + length(b.k) + length(b.v)
                    + length(b.o) + length(b.gate) + length(b.up) + length(b.down) + length(l.postAttnNorm) + length(l.postFfnNorm)
                    + length(l.sinks) + (l.experts != null && l.experts.biases != null ? l.experts.biases.floats() : 0));
        }
        for (WeightMatrix m : matrices()) {
            if (m != tokenEmbedding) {
                n += m.bytes();
            }
        }
        return n;
    }

    /**
     * Bytes of weights one token's step reads: {@link #bytes()}, but of each block's experts only the share a token goes
     * through ({@code usedPerToken} of them; all where the FFNs are dense).
     */
    public long bytesPerToken(int usedPerToken) {
        long unread = 0;
        for (Layer l : layers) {
            ExpertWeights e = l.experts;
            if (e != null) {
                long all = 0;
                for (int i = 0; i < e.gate.length; i++) {
                    all += e.gate[i].bytes() + e.up[i].bytes() + e.down[i].bytes();
                }
                unread += all - all * usedPerToken / e.gate.length;
            }
        }
        return bytes() - unread;
    }

    private static int length(float[] optional) {
        return optional == null ? 0 : optional.length;
    }

    /**
     * These weights with every matrix replaced by {@code f} of it (applied once per matrix: a tied output stays the token
     * embedding).
     */
    public LlamaWeights mapMatrices(UnaryOperator<WeightMatrix> f) {
        Map<WeightMatrix, WeightMatrix> done = new IdentityHashMap<>();
        UnaryOperator<WeightMatrix> once = m -> done.computeIfAbsent(m, f);
        Layer[] mapped = new Layer[layers.length];
        for (int i = 0; i < layers.length; i++) {
            mapped[i] = layers[i].withMatrices(once);
        }
        return new LlamaWeights(once.apply(tokenEmbedding), mapped, outputNorm, once.apply(output), ropeFreqFactors, outputBias);
    }

    /**
     * Binds the tensors of {@code file} for {@code config}, checking every shape; errors name the tensor. A tensor the
     * decoder would not use is refused by name, as llama.cpp refuses a file with tensors its architecture does not create:
     * leaving out a bias or a norm would compute another model without a word.
     */
    public static LlamaWeights of(GgufFile file, LlamaConfig c) {
        Binder b = new Binder(file);
        int qDim = c.qDim();
        WeightMatrix embd = b.matrix("token_embd.weight", c.vocabSize(), c.dim());
        Layer[] layers = new Layer[c.layers()];
        Architecture arch = c.architecture();
        boolean qkNorm = arch.qkNorm();
        int qNormWidth = arch.wholeQkNorm() ? qDim : c.headDim();
        int kNormWidth = arch.wholeQkNorm() ? c.kvDim() : c.headDim();
        boolean post = arch.postNorms();
        for (int i = 0; i < layers.length; i++) {
            String p = "blk." + i + ".";
            // Q, K and V in one matrix where the file fuses them (Phi-3's attn_qkv: Q's rows, then K's, then V's)
            WeightMatrix[] qkv = file.findTensor(p + "attn_qkv.weight").isPresent()
                    ? b.fused(p + "attn_qkv.weight", c.dim(), qDim, c.kvDim(), c.kvDim())
                    : new WeightMatrix[] {b.matrix(p + "attn_q.weight", qDim, c.dim()), b.matrix(p + "attn_k.weight", c.kvDim(), c.dim()),
                        b.matrix(p + "attn_v.weight", c.kvDim(), c.dim())};
            boolean moe = c.experts().present();
            // Phi-3's and GLM-4's ffn_up holds the gate's rows, then the up projection's
            WeightMatrix[] gateUp = moe ? new WeightMatrix[2] : arch.fusedGateUp()
                    ? b.fused(p + "ffn_up.weight", c.dim(), c.ffnDim(), c.ffnDim())
                    : new WeightMatrix[] {b.matrix(p + "ffn_gate.weight", c.ffnDim(), c.dim()), b.matrix(p + "ffn_up.weight", c.ffnDim(), c.dim())};
            layers[i] = new Layer(arch.preNorms() ? b.vector(p + "attn_norm.weight", c.dim()) : null,
                    qkv[0], qkv[1], qkv[2],
                    b.matrix(p + "attn_output.weight", c.dim(), qDim),
                    arch.preNorms() ? b.vector(p + arch.ffnNormName() + ".weight", c.dim()) : null,
                    gateUp[0], gateUp[1],
                    moe ? null : b.matrix(p + "ffn_down.weight", c.dim(), c.ffnDim()),
                    new Biases(b.optionalVector(p + "attn_q.bias", qDim), b.optionalVector(p + "attn_k.bias", c.kvDim()),
                            b.optionalVector(p + "attn_v.bias", c.kvDim()), b.optionalVector(p + "attn_output.bias", c.dim()),
                            // a mixture's experts have no biases (llama.cpp's graphs take none), so a file with them is refused
                            moe ? null : b.optionalVector(p + "ffn_gate.bias", c.ffnDim()),
                            moe ? null : b.optionalVector(p + "ffn_up.bias", c.ffnDim()),
                            moe ? null : b.optionalVector(p + "ffn_down.bias", c.dim())),
                    qkNorm ? b.vector(p + "attn_q_norm.weight", qNormWidth) : null,
                    qkNorm ? b.vector(p + "attn_k_norm.weight", kNormWidth) : null,
                    post ? b.vector(p + "post_attention_norm.weight", c.dim()) : null,
                    post ? b.vector(p + "post_ffw_norm.weight", c.dim()) : null,
                    moe ? experts(b, p, c) : null,
                    arch.sinks() ? b.vector(p + "attn_sinks.weight", c.heads()) : null);
        }
        float[] outNorm = b.vector("output_norm.weight", c.dim());
        // Gemma 2's output is always the token embedding (llama.cpp's gemma2 refuses a file with its own)
        boolean ownOutput = (file.findTensor("output.weight").isPresent() || arch.ownOutput()) && arch != Architecture.GEMMA2;
        WeightMatrix output = ownOutput ? b.matrix("output.weight", c.vocabSize(), c.dim()) : embd;
        float[] outputBias = b.optionalVector("output.bias", c.vocabSize());
        float[] factors = b.optionalVector("rope_freqs.weight", c.ropeDims() / 2);
        if (c.longRope() != LlamaConfig.LongRope.NONE) {
            // Phi-3's LongRoPE: both sets are the file's; the served context chooses one, as llama.cpp's does
            float[] longFactors = b.vector("rope_factors_long.weight", c.ropeDims() / 2);
            float[] shortFactors = b.vector("rope_factors_short.weight", c.ropeDims() / 2);
            factors = c.longRope().takesLong(c.contextLength()) ? longFactors : shortFactors;
        }
        b.refuseUnused(c);
        return new LlamaWeights(embd, layers, outNorm, output, factors, outputBias);
    }

    /** Block {@code p}'s router and experts. */
    private static ExpertWeights experts(Binder b, String p, LlamaConfig c) {
        Experts e = c.experts();
        ExpertBiases biases = c.architecture().oaiExperts()
                ? new ExpertBiases(b.vector(p + "ffn_gate_inp.bias", e.count()), b.perExpert(p + "ffn_gate_exps.bias", e.count(), e.ffn()),
                        b.perExpert(p + "ffn_up_exps.bias", e.count(), e.ffn()), b.perExpert(p + "ffn_down_exps.bias", e.count(), c.dim()))
                : null;
        return new ExpertWeights(b.matrix(p + "ffn_gate_inp.weight", e.count(), c.dim()),
                b.stacked(p + "ffn_gate_exps.weight", e.count(), e.ffn(), c.dim()),
                b.stacked(p + "ffn_up_exps.weight", e.count(), e.ffn(), c.dim()),
                b.stacked(p + "ffn_down_exps.weight", e.count(), c.dim(), e.ffn()), biases);
    }

    /** Takes tensors from a file by name, remembering which it took. */
    private static final class Binder {
        private final GgufFile file;
        private final Set<String> taken = new HashSet<>();

        Binder(GgufFile file) {
            this.file = file;
        }

        WeightMatrix matrix(String name, int rows, int cols) {
            taken.add(name);
            return LlamaWeights.matrix(file, name, rows, cols);
        }

        /** A matrix of {@code cols} columns whose rows are those of {@code parts} matrices, one after another, as views. */
        WeightMatrix[] fused(String name, int cols, int... parts) {
            int rows = java.util.Arrays.stream(parts).sum();
            matrix(name, rows, cols); // checks the shape
            GgufTensor t = file.tensor(name);
            long rowBytes = t.type().bytesFor(cols);
            WeightMatrix[] out = new WeightMatrix[parts.length];
            long at = 0;
            for (int i = 0; i < parts.length; i++) {
                out[i] = WeightMatrix.of(t.type(), t.data().asSlice(at * rowBytes, parts[i] * rowBytes), parts[i], cols);
                at += parts[i];
            }
            return out;
        }

        /**
         * The {@code count} matrices of a 3-D tensor ({@code dims = [cols, rows, count]}, GGML's layout for a block's
         * experts), each a view of its slice.
         */
        WeightMatrix[] stacked(String name, int count, int rows, int cols) {
            taken.add(name);
            GgufTensor t = file.tensor(name);
            if (t.dims().length != 3 || t.dims()[0] != cols || t.dims()[1] != rows || t.dims()[2] != count) {
                throw new GgufFormatException("tensor '" + name + "' has shape " + java.util.Arrays.toString(t.dims()) + ", the model needs ["
                        + cols + ", " + rows + ", " + count + "]");
            }
            long bytes = t.type().bytesFor((long) rows * cols);
            WeightMatrix[] out = new WeightMatrix[count];
            try {
                for (int e = 0; e < count; e++) {
                    out[e] = WeightMatrix.of(t.type(), t.data().asSlice(e * bytes, bytes), rows, cols);
                }
            } catch (IllegalArgumentException e) {
                throw new GgufFormatException("tensor '" + name + "': " + e.getMessage(), e);
            }
            return out;
        }

        float[] vector(String name, int n) {
            taken.add(name);
            return LlamaWeights.vector(file, name, n);
        }

        /** A 2-D tensor of {@code count} vectors of {@code n} ({@code dims = [n, count]}, one per expert), split into them. */
        float[][] perExpert(String name, int count, int n) {
            GgufTensor t = file.tensor(name);
            if (t.dims().length != 2 || t.dims()[0] != n || t.dims()[1] != count) {
                throw new GgufFormatException("tensor '" + name + "' has shape " + java.util.Arrays.toString(t.dims()) + ", the model needs ["
                        + n + ", " + count + "]");
            }
            float[] all = vector(name, n * count);
            float[][] out = new float[count][];
            for (int e = 0; e < count; e++) {
                out[e] = java.util.Arrays.copyOfRange(all, e * n, (e + 1) * n);
            }
            return out;
        }

        float[] optionalVector(String name, int n) {
            return file.findTensor(name).isPresent() ? vector(name, n) : null;
        }

        void refuseUnused(LlamaConfig c) {
            List<String> unused = file.tensors().keySet().stream().filter(n -> !taken.contains(n)).sorted().toList();
            if (!unused.isEmpty()) {
                throw new GgufFormatException(file.path() + ": " + unused.size() + " tensor(s) that Tangram's "
                        + c.architecture().ggufName() + " decoder does not use, so it would compute another model: "
                        + String.join(", ", unused.subList(0, Math.min(5, unused.size()))) + (unused.size() > 5 ? ", ..." : ""));
            }
        }
    }

    private static WeightMatrix matrix(GgufFile file, String name, int rows, int cols) {
        GgufTensor t = file.tensor(name);
        if (t.dims().length != 2 || t.dims()[0] != cols || t.dims()[1] != rows) {
            throw new GgufFormatException("tensor '" + name + "' has shape " + java.util.Arrays.toString(t.dims()) + ", the model needs ["
                    + cols + ", " + rows + "]");
        }
        try {
            return WeightMatrix.of(t);
        } catch (IllegalArgumentException e) {
            throw new GgufFormatException(e.getMessage(), e);
        }
    }

    private static float[] vector(GgufFile file, String name, int n) {
        GgufTensor t = file.tensor(name);
        if (t.elements() != n) {
            throw new GgufFormatException("tensor '" + name + "' has " + t.elements() + " elements, the model needs " + n);
        }
        float[] v = new float[n];
        try {
            WeightMatrix.of(t.type(), t.data(), 1, n).dequantizeRow(0, v, 0);
        } catch (IllegalArgumentException e) {
            throw new GgufFormatException("tensor '" + name + "': " + e.getMessage(), e);
        }
        return v;
    }
}
