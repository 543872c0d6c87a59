package dev.tangram.inference.model;

import dev.tangram.inference.gguf.GgufFile;
import dev.tangram.inference.gguf.GgufFormatException;
import dev.tangram.inference.gguf.GgufTensor;
import dev.tangram.inference.kernels.WeightMatrix;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * The weights of a Llama-family decoder, by their GGUF tensor names. Matrices are bound to the mapped file (and may be
 * rearranged into memory of their own at load, {@link #mapMatrices}); norm vectors (small) are decoded to floats.
 *
 * @param tokenEmbedding {@code token_embd.weight}: [vocab rows × dim]
 * @param layers         one entry per block
 * @param outputNorm     {@code output_norm.weight}: [dim]
 * @param output         {@code output.weight} [vocab × dim], or the token embedding when absent (tied embeddings)
 * @param ropeFreqFactors {@code rope_freqs.weight} [headDim / 2], dividing each RoPE frequency, or null
 */
public record LlamaWeights(WeightMatrix tokenEmbedding, Layer[] layers, float[] outputNorm, WeightMatrix output, float[] ropeFreqFactors) {

    /**
     * One transformer block.
     *
     * @param attnNorm {@code blk.N.attn_norm.weight} [dim]
     * @param wq       {@code blk.N.attn_q.weight} [heads·headDim × dim]
     * @param wk       {@code blk.N.attn_k.weight} [kvHeads·headDim × dim]
     * @param wv       {@code blk.N.attn_v.weight} [kvHeads·headDim × dim]
     * @param wo       {@code blk.N.attn_output.weight} [dim × heads·headDim]
     * @param ffnNorm  {@code blk.N.ffn_norm.weight} [dim]
     * @param wGate    {@code blk.N.ffn_gate.weight} [ffn × dim]
     * @param wUp      {@code blk.N.ffn_up.weight} [ffn × dim]
     * @param wDown    {@code blk.N.ffn_down.weight} [dim × ffn]
     */
    public record Layer(float[] attnNorm, WeightMatrix wq, WeightMatrix wk, WeightMatrix wv, WeightMatrix wo, float[] ffnNorm,
                        WeightMatrix wGate, WeightMatrix wUp, WeightMatrix wDown) {}

    public boolean tiedEmbeddings() {
        return output == tokenEmbedding;
    }

    /** Every matrix a decode step multiplies with, in the order it does: each layer's seven, then the output. */
    public List<WeightMatrix> matrices() {
        List<WeightMatrix> out = new ArrayList<>();
        for (Layer l : layers) {
            out.addAll(List.of(l.wq, l.wk, l.wv, l.wo, l.wGate, l.wUp, l.wDown));
        }
        out.add(output);
        return out;
    }

    /** Bytes of all weights: the embedding, the norms, and every matrix of {@link #matrices()} (a tied output only once). */
    public long bytes() {
        long n = tokenEmbedding.bytes() + 4L * outputNorm.length;
        for (Layer l : layers) {
            n += 4L * (l.attnNorm.length + l.ffnNorm.length);
        }
        for (WeightMatrix m : matrices()) {
            if (m != tokenEmbedding) {
                n += m.bytes();
            }
        }
        return n;
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
            Layer l = layers[i];
            mapped[i] = new Layer(l.attnNorm, once.apply(l.wq), once.apply(l.wk), once.apply(l.wv), once.apply(l.wo), l.ffnNorm,
                    once.apply(l.wGate), once.apply(l.wUp), once.apply(l.wDown));
        }
        return new LlamaWeights(once.apply(tokenEmbedding), mapped, outputNorm, once.apply(output), ropeFreqFactors);
    }

    /** Binds the tensors of {@code file} for {@code config}, checking every shape; errors name the tensor. */
    public static LlamaWeights of(GgufFile file, LlamaConfig c) {
        int qDim = c.heads() * c.headDim();
        WeightMatrix embd = matrix(file, "token_embd.weight", c.vocabSize(), c.dim());
        Layer[] layers = new Layer[c.layers()];
        for (int i = 0; i < layers.length; i++) {
            String p = "blk." + i + ".";
            layers[i] = new Layer(vector(file, p + "attn_norm.weight", c.dim()),
                    matrix(file, p + "attn_q.weight", qDim, c.dim()),
                    matrix(file, p + "attn_k.weight", c.kvDim(), c.dim()),
                    matrix(file, p + "attn_v.weight", c.kvDim(), c.dim()),
                    matrix(file, p + "attn_output.weight", c.dim(), qDim),
                    vector(file, p + "ffn_norm.weight", c.dim()),
                    matrix(file, p + "ffn_gate.weight", c.ffnDim(), c.dim()),
                    matrix(file, p + "ffn_up.weight", c.ffnDim(), c.dim()),
                    matrix(file, p + "ffn_down.weight", c.dim(), c.ffnDim()));
        }
        float[] outNorm = vector(file, "output_norm.weight", c.dim());
        WeightMatrix output = file.findTensor("output.weight").isPresent() ? matrix(file, "output.weight", c.vocabSize(), c.dim()) : embd;
        Optional<GgufTensor> freqs = file.findTensor("rope_freqs.weight");
        float[] factors = freqs.isPresent() ? vector(file, "rope_freqs.weight", c.headDim() / 2) : null;
        return new LlamaWeights(embd, layers, outNorm, output, factors);
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
