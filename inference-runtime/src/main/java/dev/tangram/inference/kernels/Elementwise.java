package dev.tangram.inference.kernels;

import static dev.tangram.inference.kernels.VectorShapes.F;
import static dev.tangram.inference.kernels.VectorShapes.L;

import jdk.incubator.vector.FloatVector;

/**
 * The decoder's element-wise steps: RMSNorm, residual and bias adds and scaling on the Vector API, SwiGLU. Pure functions
 * of their arrays.
 */
public final class Elementwise {
    private Elementwise() {}

    /**
     * {@code out[o..o+n) = in[o..o+n) / rms(in[o..o+n)) * weight[0..n)}, {@code rms = sqrt(mean(x²) + eps)}. The sum of
     * squares is a scalar loop into a double (in order, the same in every JIT tier); the scaling is lane-wise.
     */
    public static void rmsNorm(float[] in, float[] weight, float[] out, int o, int n, float eps) {
        double ss = 0;
        for (int i = 0; i < n; i++) {
            ss += in[o + i] * in[o + i];
        }
        float inv = (float) (1.0 / Math.sqrt(ss / n + eps));
        int i = 0;
        for (int upper = F.loopBound(n); i < upper; i += L) {
            FloatVector.fromArray(F, in, o + i).mul(inv).mul(FloatVector.fromArray(F, weight, i)).intoArray(out, o + i);
        }
        for (; i < n; i++) {
            out[o + i] = in[o + i] * inv * weight[i];
        }
    }

    /** {@code a[0..n) += b[0..n)}. */
    public static void add(float[] a, float[] b, int n) {
        int i = 0;
        for (int upper = F.loopBound(n); i < upper; i += L) {
            FloatVector.fromArray(F, a, i).add(FloatVector.fromArray(F, b, i)).intoArray(a, i);
        }
        for (; i < n; i++) {
            a[i] += b[i];
        }
    }

    /** {@code a[ao..ao+n) += s · b[bo..bo+n)}: one expert's output, weighted, added to a token's sum. */
    public static void addScaled(float[] a, int ao, float[] b, int bo, float s, int n) {
        FloatVector sv = FloatVector.broadcast(F, s);
        int i = 0;
        for (int upper = F.loopBound(n); i < upper; i += L) {
            FloatVector.fromArray(F, b, bo + i).fma(sv, FloatVector.fromArray(F, a, ao + i)).intoArray(a, ao + i);
        }
        for (; i < n; i++) {
            a[ao + i] = Math.fma(b[bo + i], s, a[ao + i]);
        }
    }

    /** {@code a[r·width + i] += row[i]} for every row {@code r < rows}: a bias added to each token's product. */
    public static void addToRows(float[] a, float[] row, int rows, int width) {
        for (int r = 0; r < rows; r++) {
            int o = r * width;
            int i = 0;
            for (int upper = F.loopBound(width); i < upper; i += L) {
                FloatVector.fromArray(F, a, o + i).add(FloatVector.fromArray(F, row, i)).intoArray(a, o + i);
            }
            for (; i < width; i++) {
                a[o + i] += row[i];
            }
        }
    }

    /** {@code a[0..n) *= s}. */
    public static void scale(float[] a, float s, int n) {
        scale(a, 0, s, n);
    }

    /** {@code a[from .. from + n) *= s}. */
    public static void scale(float[] a, int from, float s, int n) {
        int i = 0;
        for (int upper = F.loopBound(n); i < upper; i += L) {
            FloatVector.fromArray(F, a, from + i).mul(s).intoArray(a, from + i);
        }
        for (; i < n; i++) {
            a[from + i] *= s;
        }
    }

    /**
     * SwiGLU in place over {@code [from, to)}: {@code gate[i] = silu(gate[i]) * up[i]}, {@code silu(g) = g / (1 + e^-g)}.
     * Scalar on purpose: the Vector API's lane-wise {@code EXP} gives different last bits before and after C2 compiles it
     * (a Java fallback, then a vector math library), which made the same sequence's logits depend on JIT timing;
     * {@link Math#exp} is the same in every tier.
     */
    public static void swiGlu(float[] gate, float[] up, int from, int to) {
        for (int i = from; i < to; i++) {
            float g = gate[i];
            gate[i] = g / (1f + (float) Math.exp(-g)) * up[i];
        }
    }

    /** gpt-oss's SwiGLU constants: the sigmoid's slope and the clamp of gate and up. */
    public static final float OAI_ALPHA = 1.702f, OAI_LIMIT = 7f;

    /**
     * gpt-oss's clamped SwiGLU in place over {@code [from, to)} (ggml's {@code swiglu_oai}): the gate clamped from above
     * and the up on both sides at {@link #OAI_LIMIT}, {@code gate[i] = g·σ(α·g) · (u + 1)} with {@code α =}
     * {@link #OAI_ALPHA}. Scalar over {@link Math#exp} for the reason {@link #swiGlu} is.
     */
    public static void swiGluOai(float[] gate, float[] up, int from, int to) {
        for (int i = from; i < to; i++) {
            float g = Math.min(gate[i], OAI_LIMIT);
            float u = Math.clamp(up[i], -OAI_LIMIT, OAI_LIMIT);
            gate[i] = g / (1f + (float) Math.exp(OAI_ALPHA * -g)) * (u + 1f);
        }
    }

    /** √(2/π), of the tanh approximation of GELU. */
    private static final double GELU_K = Math.sqrt(2 / Math.PI);

    /**
     * GeGLU in place over {@code [from, to)}: {@code gate[i] = gelu(gate[i]) * up[i]}, GELU in its tanh approximation
     * (Gemma's, and ggml's {@code gelu}): {@code 0.5·g·(1 + tanh(√(2/π)·(g + 0.044715·g³)))}, computed as
     * {@code g / (1 + e^(-2u))}, which is the same number. Scalar over {@link Math#exp} for the reason {@link #swiGlu} is.
     */
    public static void geluGlu(float[] gate, float[] up, int from, int to) {
        for (int i = from; i < to; i++) {
            float g = gate[i];
            double u = GELU_K * (g + 0.044715 * g * g * g);
            gate[i] = (float) (g / (1 + Math.exp(-2 * u))) * up[i];
        }
    }

    /**
     * {@code a[from..to) = cap · tanh(a · scale / cap)}: Gemma's soft capping of the logits and (Gemma 2) of the attention
     * scores, tanh through {@link Math#exp} (the same last bits in every JIT tier).
     */
    public static void softCap(float[] a, int from, int to, float scale, float cap) {
        for (int i = from; i < to; i++) {
            double y = a[i] * (double) scale / cap;
            a[i] = (float) (cap * (2 / (1 + Math.exp(-2 * y)) - 1));
        }
    }
}
