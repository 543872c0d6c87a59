package dev.tangram.inference.model;

import dev.tangram.inference.gguf.GgmlType;
import dev.tangram.inference.gguf.GgufFile;
import dev.tangram.inference.gguf.GgufTensor;
import dev.tangram.inference.kernels.NarrowRounding;
import dev.tangram.inference.kernels.WeightMatrix;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;

/**
 * A plain, unbatched, double-precision Llama forward pass written for the tests: contiguous KV history, no paging, no
 * vectors, no threads. Weights are the file's, decoded once. Optionally, Q4_0 and K-quant matrices multiply their input
 * rounded to 8 bits per block of 32, as the engine's Q4_0 and K-quant matrices with rows in lanes do (Q8_0's rule: scale = largest magnitude /
 * 127, each value the nearest whole number of scales), worked out here in doubles. The architectures' differences are
 * written out as llama.cpp's graphs for them apply them: optional biases after each product, Qwen3's per-head Q/K norms
 * before RoPE, RoPE over adjacent pairs or over halves, Granite's multipliers, Gemma 3's block (GELU in its tanh form,
 * norms after attention and FFN, sliding-window layers with their own RoPE base, the logits' soft cap) and Gemma 2's
 * (Gemma 3's without Q/K norms, with the scores soft-capped too), and a mixture of experts (softmax over the router's
 * logits, the likeliest experts' outputs summed with their probabilities renormalised). Keys and values can be kept as
 * a narrow cache keeps them: the nearest IEEE halves ({@link KvCacheType#F16}), or through Q8_0 blocks of 32 per head
 * ({@link KvCacheType#Q8_0}) ({@link #withKv}).
 */
final class ReferenceLlama {
    private final LlamaConfig c;
    private final double[][] embd;
    private final double[][] output;
    private final double[] outNorm;
    private final double[][] attnNorm, ffnNorm;
    private final double[][][] wq, wk, wv, wo, wg, wu, wd;
    /** Per layer, a mixture's router [experts][dim] and each expert's matrices (null where the FFN is dense). */
    private final double[][][] router;
    private final double[][][][] eg, eu, ed;
    /** Per layer, the optional vectors (null where the file has none). */
    private final double[][] bq, bk, bv, bo, bg, bu, bd, qNorm, kNorm, postAttnNorm, postFfnNorm;
    private final double[] outBias;
    /** The RoPE frequency factors (rope_freqs, or LongRoPE's long or short ones), or null. */
    private final double[] ropeFactors;
    private final boolean roundQ4Input;
    /** The Q4_0 and K-quant matrices, whose input is rounded when {@link #roundQ4Input}. */
    private final Set<double[][]> q4 = Collections.newSetFromMap(new IdentityHashMap<>());

    ReferenceLlama(GgufFile file, LlamaConfig c) {
        this(file, c, false);
    }

    /** How keys and values are rounded before they are kept. */
    private KvCacheType kv = KvCacheType.F32;

    /** This reference, keeping each key and value as a cache of {@code type} does. */
    ReferenceLlama withKv(KvCacheType type) {
        kv = type;
        return this;
    }

    ReferenceLlama(GgufFile file, LlamaConfig c, boolean roundQ4Input) {
        this.c = c;
        this.roundQ4Input = roundQ4Input;
        embd = matrix(file, "token_embd.weight");
        output = file.findTensor("output.weight").isPresent() ? matrix(file, "output.weight") : embd;
        outNorm = matrix(file, "output_norm.weight")[0];
        outBias = optional(file, "output.bias");
        ropeFactors = c.longRope() == LlamaConfig.LongRope.NONE ? optional(file, "rope_freqs.weight")
                : optional(file, c.longRope().takesLong(c.contextLength()) ? "rope_factors_long.weight" : "rope_factors_short.weight");
        int n = c.layers();
        bq = new double[n][];
        bk = new double[n][];
        bv = new double[n][];
        bo = new double[n][];
        bg = new double[n][];
        bu = new double[n][];
        bd = new double[n][];
        qNorm = new double[n][];
        kNorm = new double[n][];
        postAttnNorm = new double[n][];
        postFfnNorm = new double[n][];
        attnNorm = new double[n][];
        ffnNorm = new double[n][];
        wq = new double[n][][];
        wk = new double[n][][];
        wv = new double[n][][];
        wo = new double[n][][];
        wg = new double[n][][];
        wu = new double[n][][];
        wd = new double[n][][];
        router = new double[n][][];
        eg = new double[n][][][];
        eu = new double[n][][][];
        ed = new double[n][][][];
        for (int l = 0; l < n; l++) {
            String p = "blk." + l + ".";
            // OLMo 2's blocks have no norm before attention or the FFN
            attnNorm[l] = optional(file, p + "attn_norm.weight");
            ffnNorm[l] = optional(file, p + "ffn_norm.weight");
            if (file.findTensor(p + "attn_qkv.weight").isPresent()) {
                // Q, K and V fused (Phi-3): Q's rows, then K's, then V's
                double[][] qkv = matrix(file, p + "attn_qkv.weight");
                int qRows = c.qDim();
                wq[l] = java.util.Arrays.copyOfRange(qkv, 0, qRows);
                wk[l] = java.util.Arrays.copyOfRange(qkv, qRows, qRows + c.kvDim());
                wv[l] = java.util.Arrays.copyOfRange(qkv, qRows + c.kvDim(), qRows + 2 * c.kvDim());
            } else {
                wq[l] = matrix(file, p + "attn_q.weight");
                wk[l] = matrix(file, p + "attn_k.weight");
                wv[l] = matrix(file, p + "attn_v.weight");
            }
            wo[l] = matrix(file, p + "attn_output.weight");
            if (file.findTensor(p + "ffn_gate_inp.weight").isPresent()) {
                router[l] = matrix(file, p + "ffn_gate_inp.weight");
                eg[l] = experts(file, p + "ffn_gate_exps.weight");
                eu[l] = experts(file, p + "ffn_up_exps.weight");
                ed[l] = experts(file, p + "ffn_down_exps.weight");
            } else {
                if (file.findTensor(p + "ffn_gate.weight").isPresent()) {
                    wg[l] = matrix(file, p + "ffn_gate.weight");
                    wu[l] = matrix(file, p + "ffn_up.weight");
                } else {
                    // gate and up fused (Phi-3): the gate's rows first
                    double[][] gateUp = matrix(file, p + "ffn_up.weight");
                    wg[l] = java.util.Arrays.copyOfRange(gateUp, 0, c.ffnDim());
                    wu[l] = java.util.Arrays.copyOfRange(gateUp, c.ffnDim(), 2 * c.ffnDim());
                }
                wd[l] = matrix(file, p + "ffn_down.weight");
            }
            bq[l] = optional(file, p + "attn_q.bias");
            bk[l] = optional(file, p + "attn_k.bias");
            bv[l] = optional(file, p + "attn_v.bias");
            bo[l] = optional(file, p + "attn_output.bias");
            bg[l] = optional(file, p + "ffn_gate.bias");
            bu[l] = optional(file, p + "ffn_up.bias");
            bd[l] = optional(file, p + "ffn_down.bias");
            qNorm[l] = optional(file, p + "attn_q_norm.weight");
            kNorm[l] = optional(file, p + "attn_k_norm.weight");
            postAttnNorm[l] = optional(file, p + "post_attention_norm.weight");
            postFfnNorm[l] = optional(file, p + "post_ffw_norm.weight");
        }
    }

    /** The matrices of a 3-D tensor of experts, each a slice of its rows (registered as Q4 where the tensor is). */
    private double[][][] experts(GgufFile file, String name) {
        GgufTensor t = file.tensor(name);
        double[][] all = matrix(file, name);
        int count = (int) t.dims()[2];
        int rows = all.length / count;
        double[][][] out = new double[count][][];
        for (int e = 0; e < count; e++) {
            out[e] = java.util.Arrays.copyOfRange(all, e * rows, (e + 1) * rows);
            if (q4.contains(all)) {
                q4.add(out[e]);
            }
        }
        return out;
    }

    private double[] optional(GgufFile file, String name) {
        return file.findTensor(name).isPresent() ? matrix(file, name)[0] : null;
    }

    private double[][] matrix(GgufFile file, String name) {
        GgufTensor t = file.tensor(name);
        WeightMatrix m = WeightMatrix.of(t.type(), t.data(), t.rows(), t.rowLength());
        double[][] out = new double[m.rows()][m.cols()];
        float[] row = new float[m.cols()];
        for (int r = 0; r < m.rows(); r++) {
            m.dequantizeRow(r, row, 0);
            for (int i = 0; i < row.length; i++) {
                out[r][i] = row[i];
            }
        }
        if (t.type() == GgmlType.Q4_0 || t.type() == GgmlType.Q4_K || t.type() == GgmlType.Q5_K || t.type() == GgmlType.Q6_K) {
            q4.add(out);
        }
        return out;
    }

    /** Logits after each token of {@code tokens}: [position][vocab]. */
    double[][] logits(int[] tokens) {
        int hd = c.headDim();
        int kvDim = c.kvDim();
        int group = c.heads() / c.kvHeads();
        double[][][] keys = new double[c.layers()][tokens.length][];
        double[][][] values = new double[c.layers()][tokens.length][];
        double[][] result = new double[tokens.length][];
        DecoderScales scales = c.scales();
        for (int p = 0; p < tokens.length; p++) {
            double[] x = embd[tokens[p]].clone();
            for (int i = 0; i < x.length; i++) {
                x[i] *= scales.embedding();
            }
            for (int l = 0; l < c.layers(); l++) {
                double[] xn = attnNorm[l] == null ? x : rmsNorm(x, attnNorm[l]);
                double[] q = plus(mul(wq[l], xn), bq[l]);
                double[] k = plus(mul(wk[l], xn), bk[l]);
                double[] v = plus(mul(wv[l], xn), bv[l]);
                if (qNorm[l] != null && qNorm[l].length == q.length && c.heads() > 1) {
                    // OLMo 2: Q and K normalised whole, over all their heads
                    q = rmsNorm(q, qNorm[l]);
                    k = rmsNorm(k, kNorm[l]);
                } else if (qNorm[l] != null) {
                    normEachHead(q, qNorm[l]);
                    normEachHead(k, kNorm[l]);
                }
                boolean local = c.window().isLocal(l);
                // SmolLM3's NoPE layers: 3, 7, ...; EXAONE 4's global layers where it has sliding ones
                boolean noPositions = c.architecture() == Architecture.SMOLLM3 && l % 4 == 3
                        || c.architecture() == Architecture.EXAONE4 && c.window().size() > 0 && !local;
                if (!noPositions) {
                    rope(q, p, local);
                    rope(k, p, local);
                }
                if (scales.queryTemperature() != 0) {
                    // Llama 4's temperature tuning (Mistral 3): 1 + beta · log(floor(p / floor) + 1)
                    double t = 1 + scales.queryTemperature() * Math.log(Math.floor(p / (double) scales.temperatureFloor()) + 1);
                    for (int i = 0; i < q.length; i++) {
                        q[i] *= t;
                    }
                }
                // a sliding-window layer's query sees the last window positions, itself included
                int from = local ? Math.max(0, p - c.window().size() + 1) : 0;
                keys[l][p] = kept(k, kv.keyRotation(hd));
                values[l][p] = kept(v, kv.valueRotation(hd));
                double[] att = new double[c.heads() * hd];
                for (int h = 0; h < c.heads(); h++) {
                    int kvo = (h / group) * hd;
                    double[] s = new double[p + 1];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = from; j <= p; j++) {
                        double dot = 0;
                        for (int i = 0; i < hd; i++) {
                            dot += q[h * hd + i] * keys[l][j][kvo + i];
                        }
                        s[j] = scales.attention() == 0 ? dot / Math.sqrt(hd) : dot * scales.attention();
                        if (scales.attentionCap() != 0) {
                            s[j] = scales.attentionCap() * Math.tanh(s[j] / scales.attentionCap());
                        }
                        max = Math.max(max, s[j]);
                    }
                    double sum = 0;
                    for (int j = from; j <= p; j++) {
                        s[j] = Math.exp(s[j] - max);
                        sum += s[j];
                    }
                    for (int j = from; j <= p; j++) {
                        for (int i = 0; i < hd; i++) {
                            att[h * hd + i] += s[j] / sum * values[l][j][kvo + i];
                        }
                    }
                }
                add(x, postNorm(plus(mul(wo[l], att), bo[l]), postAttnNorm[l]), scales.residual());
                double[] xf = ffnNorm[l] == null ? x.clone() : rmsNorm(x, ffnNorm[l]);
                double[] ffn = router[l] != null ? mixture(l, xf)
                        : plus(mul(wd[l], gated(plus(mul(wg[l], xf), bg[l]), plus(mul(wu[l], xf), bu[l]))), bd[l]);
                add(x, postNorm(ffn, postFfnNorm[l]), scales.residual());
            }
            result[p] = plus(mul(output, rmsNorm(x, outNorm)), outBias);
            for (int i = 0; i < result[p].length; i++) {
                result[p][i] /= scales.logit();
                if (scales.logitCap() != 0) {
                    result[p][i] = scales.logitCap() * Math.tanh(result[p][i] / scales.logitCap());
                }
            }
            assert kvDim > 0;
        }
        return result;
    }

    /**
     * Rotates pairs (2i, 2i+1) of every head, or (i, i + headDim/2) where the architecture's RoPE takes halves, by
     * pos × theta^(-2i/ropeDims) ÷ the pair's factor (Phi-3's LongRoPE: long where the config's context passes the original
     * one, else short) × the position scale, or with YaRN by a mix of the scaled and the unscaled angle (below); the rotated
     * values times the attention factor, and with YaRN times 0.1 · ln(1/scale) + 1; the first ropeDims values only; a
     * sliding-window layer's by its own theta and scale.
     */
    private void rope(double[] v, int pos, boolean local) {
        int hd = c.headDim();
        int rot = c.ropeDims(); // values past it pass unrotated
        double scale = local ? c.window().ropeScale() : c.ropeScale();
        double theta = local ? c.window().ropeTheta() : c.ropeTheta();
        RopeScaling.Yarn yarn = c.rope().yarn();
        // YaRN's attention factor as transformers computes it: get_mscale(f) = 0.1 · ln f + 1, or with Mistral 3's
        // mscale_all_dim (the log multiplier) get_mscale(f, 1) / get_mscale(f, mscale_all_dim)
        double f = 1 / scale;
        double yarnFactor = !yarn.present() ? 1 : yarn.logMultiplier() == 0 ? 0.1 * Math.log(f) + 1
                : (0.1 * Math.log(f) + 1) / (0.1 * yarn.logMultiplier() * Math.log(f) + 1);
        double mscale = c.rope().attentionFactor() * yarnFactor;
        boolean halves = c.architecture().rope() == Architecture.RopeStyle.HALVES;
        for (int h = 0; h < v.length / hd; h++) {
            for (int i = 0; i < rot / 2; i++) {
                double extrapolated = Math.pow(theta, -2.0 * i / rot) / (local || ropeFactors == null ? 1 : ropeFactors[i]);
                double kept = yarn.present() ? yarnExtrapolated(i, rot, theta, yarn) : 0;
                double angle = pos * (extrapolated * scale * (1 - kept) + extrapolated * kept);
                int first = h * hd + (halves ? i : 2 * i);
                int second = first + (halves ? rot / 2 : 1);
                double a = v[first];
                double b = v[second];
                v[first] = (a * Math.cos(angle) - b * Math.sin(angle)) * mscale;
                v[second] = (a * Math.sin(angle) + b * Math.cos(angle)) * mscale;
            }
        }
    }

    /**
     * YaRN's share of pair {@code i}'s unscaled frequency, as the paper's reference code computes it: the correction range
     * runs from the dimension whose wavelength fits betaFast times into the original context (floored, at least 0) to the
     * one where it fits betaSlow times (ceiled, at most rot - 1), and the share falls linearly from 1 to 0 across it.
     */
    private static double yarnExtrapolated(int i, int rot, double theta, RopeScaling.Yarn yarn) {
        double low = Math.max(0, Math.floor(rot * Math.log(yarn.originalContext() / (yarn.betaFast() * 2 * Math.PI)) / (2 * Math.log(theta))));
        double high = Math.min(rot - 1, Math.ceil(rot * Math.log(yarn.originalContext() / (yarn.betaSlow() * 2 * Math.PI)) / (2 * Math.log(theta))));
        if (low == high) {
            high += 0.001;
        }
        return 1 - Math.clamp((i - low) / (high - low), 0.0, 1.0);
    }

    /** The gated activation: SiLU (GELU's tanh form for Gemma) of the gate, times up; in {@code g}. */
    private double[] gated(double[] g, double[] u) {
        for (int i = 0; i < g.length; i++) {
            double gate = g[i];
            g[i] = c.architecture().gemmaBlock()
                    ? 0.5 * gate * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (gate + 0.044715 * gate * gate * gate))) * u[i]
                    : gate / (1 + Math.exp(-gate)) * u[i];
        }
        return g;
    }

    /**
     * Layer {@code l}'s mixture of experts over {@code xf}: the softmax of the router's logits, the likeliest experts
     * (sorted, ties to the lower index), each one's FFN output weighted by its probability over the chosen ones' sum.
     */
    private double[] mixture(int l, double[] xf) {
        double[] logits = mul(router[l], xf);
        double max = java.util.Arrays.stream(logits).max().orElseThrow();
        double[] p = java.util.Arrays.stream(logits).map(v -> Math.exp(v - max)).toArray();
        Integer[] order = new Integer[p.length];
        java.util.Arrays.setAll(order, i -> i);
        java.util.Arrays.sort(order, (a, b) -> Double.compare(p[b], p[a]));
        int used = c.experts().used();
        double chosen = 0;
        for (int k = 0; k < used; k++) {
            chosen += p[order[k]];
        }
        double[] out = new double[xf.length];
        for (int k = 0; k < used; k++) {
            int e = order[k];
            add(out, mul(ed[l][e], gated(mul(eg[l][e], xf), mul(eu[l][e], xf))), p[e] / chosen);
        }
        return out;
    }

    /** {@code out} RMS-normed with {@code weight}, or as it is where there is no such norm. */
    private double[] postNorm(double[] out, double[] weight) {
        return weight == null ? out : rmsNorm(out, weight);
    }

    /** RMSNorm of each head of {@code v} on its own, with the head-sized {@code weight}. */
    private void normEachHead(double[] v, double[] weight) {
        int hd = weight.length;
        for (int h = 0; h < v.length / hd; h++) {
            double[] head = rmsNorm(java.util.Arrays.copyOfRange(v, h * hd, (h + 1) * hd), weight);
            System.arraycopy(head, 0, v, h * hd, hd);
        }
    }

    private static double[] plus(double[] a, double[] bias) {
        if (bias != null) {
            for (int i = 0; i < a.length; i++) {
                a[i] += bias[i];
            }
        }
        return a;
    }

    private double[] rmsNorm(double[] x, double[] w) {
        double ss = 0;
        for (double v : x) {
            ss += v * v;
        }
        double inv = 1 / Math.sqrt(ss / x.length + c.rmsEps());
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = x[i] * inv * w[i];
        }
        return out;
    }

    private double[] mul(double[][] m, double[] input) {
        double[] x = roundQ4Input && q4.contains(m) ? roundedTo8Bits(input) : input;
        double[] out = new double[m.length];
        for (int r = 0; r < m.length; r++) {
            double s = 0;
            for (int i = 0; i < x.length; i++) {
                s += m[r][i] * x[i];
            }
            out[r] = s;
        }
        return out;
    }

    /**
     * One token's keys or values as the cache keeps them, from the floats nearest to them: for a rotating cache, each run
     * of {@code rotation} rotated by a Hadamard matrix before it is rounded and rotated back after (the engine keeps
     * them rotated, and rotates queries and attention's output instead: the same attention).
     */
    private double[] kept(double[] x, int rotation) {
        if (kv == KvCacheType.F32) {
            return x;
        }
        double[] in = rotation > 0 ? hadamard(x, rotation) : x;
        float[] f = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            f[i] = (float) in[i];
        }
        float[] r = kv == KvCacheType.F16 ? NarrowRounding.toHalves(f) : NarrowRounding.throughQ8Blocks(f);
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = r[i];
        }
        return rotation > 0 ? hadamard(out, rotation) : out;
    }

    /** Each run of {@code n} of {@code x} times Sylvester's Hadamard matrix of order n over √n (entry (i, j): ±1 by the parity of i AND j). */
    private static double[] hadamard(double[] x, int n) {
        double[] out = new double[x.length];
        for (int r = 0; r < x.length; r += n) {
            for (int i = 0; i < n; i++) {
                double s = 0;
                for (int j = 0; j < n; j++) {
                    s += (Integer.bitCount(i & j) % 2 == 0 ? 1 : -1) * x[r + j];
                }
                out[r + i] = s / Math.sqrt(n);
            }
        }
        return out;
    }

    private static double[] roundedTo8Bits(double[] x) {
        double[] out = new double[x.length];
        for (int b = 0; b < x.length; b += 32) {
            double max = 0;
            for (int i = b; i < b + 32; i++) {
                max = Math.max(max, Math.abs(x[i]));
            }
            double scale = max / 127;
            for (int i = b; i < b + 32; i++) {
                out[i] = scale == 0 ? 0 : Math.rint(x[i] / scale) * scale;
            }
        }
        return out;
    }

    private static void add(double[] a, double[] b, double scale) {
        for (int i = 0; i < a.length; i++) {
            a[i] += b[i] * scale;
        }
    }
}
