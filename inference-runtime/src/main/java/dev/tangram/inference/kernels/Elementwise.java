package dev.tangram.inference.kernels;

import static dev.tangram.inference.kernels.VectorShapes.F;
import static dev.tangram.inference.kernels.VectorShapes.L;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/** The decoder's element-wise steps on the Vector API: RMSNorm, residual add, SwiGLU. Pure functions of their arrays. */
public final class Elementwise {
    private Elementwise() {}

    /** {@code out[o..o+n) = in[o..o+n) / rms(in[o..o+n)) * weight[0..n)}, {@code rms = sqrt(mean(x²) + eps)}. */
    public static void rmsNorm(float[] in, float[] weight, float[] out, int o, int n, float eps) {
        FloatVector ss = FloatVector.zero(F);
        int i = 0;
        for (int upper = F.loopBound(n); i < upper; i += L) {
            FloatVector v = FloatVector.fromArray(F, in, o + i);
            ss = v.fma(v, ss);
        }
        double sum = ss.reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            sum += in[o + i] * in[o + i];
        }
        float inv = (float) (1.0 / Math.sqrt(sum / n + eps));
        i = 0;
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

    /** SwiGLU in place over {@code [from, to)}: {@code gate[i] = silu(gate[i]) * up[i]}, {@code silu(g) = g / (1 + e^-g)}. */
    public static void swiGlu(float[] gate, float[] up, int from, int to) {
        int i = from;
        for (int upper = from + F.loopBound(to - from); i < upper; i += L) {
            FloatVector g = FloatVector.fromArray(F, gate, i);
            FloatVector silu = g.div(g.neg().lanewise(VectorOperators.EXP).add(1f));
            silu.mul(FloatVector.fromArray(F, up, i)).intoArray(gate, i);
        }
        for (; i < to; i++) {
            float g = gate[i];
            gate[i] = g / (1f + (float) Math.exp(-g)) * up[i];
        }
    }
}
