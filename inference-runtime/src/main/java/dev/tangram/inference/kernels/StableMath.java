package dev.tangram.inference.kernels;

import static dev.tangram.inference.kernels.VectorShapes.F;
import static dev.tangram.inference.kernels.VectorShapes.I;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Functions that give the same bits in every JIT tier, for vectors and for single floats alike. The Vector API's own
 * {@code lanewise(EXP)} and {@code reduceLanes(ADD)} do not: compiled, the first is a vector library's approximation and
 * the second adds in an order of C2's choosing, while the interpreter computes each lane with {@link Math#exp} and adds
 * lane by lane. So the same prompt gave logits that differed in their last bits before and after attention was compiled
 * (a test that compared two passes failed whenever C2 finished between them), and a seeded sample could differ too.
 *
 * <p>The exponential is the classic one: {@code x = n·ln 2 + r} with {@code n} the nearest whole number to
 * {@code x / ln 2} and {@code ln 2} split in two so that {@code r} is exact, a degree-7 polynomial for {@code e^r} on
 * [−ln 2 / 2, ln 2 / 2] (Cephes' {@code expf} coefficients, within about one unit in the last place), and {@code 2^n} put
 * into the exponent bits. Every step is an IEEE addition, multiplication or fused multiply-add, which Java computes the
 * same way in every tier, lane by lane or in vectors.
 */
public final class StableMath {
    /** Below this {@code e^x} is under the smallest normal float (1.2e-38): it is taken as 0, as for −∞. */
    static final float MIN = -87.3f;
    /** Above this {@code e^x} (1.7e38) is taken as +∞: {@code 2^n} would need the exponent of infinity. */
    static final float MAX = 88.0f;
    private static final float LOG2E = 1.44269504088896341f;
    /** ln 2 in two parts: the first has few enough bits that {@code n · LN2_HI} is exact. */
    private static final float LN2_HI = 0.693359375f;
    private static final float LN2_LO = -2.12194440e-4f;
    /** 1.5 × 2^23: adding it and taking it away rounds a float under 2^22 in magnitude to the nearest whole number. */
    private static final float NEAREST = 0x1.8p23f;
    private static final float P0 = 1.9875691500e-4f;
    private static final float P1 = 1.3981999507e-3f;
    private static final float P2 = 8.3334519073e-3f;
    private static final float P3 = 4.1665795894e-2f;
    private static final float P4 = 1.6666665459e-1f;
    private static final float P5 = 5.0000001201e-1f;

    /** {@code e^x} lane by lane: 0 below {@link #MIN}, +∞ above {@link #MAX}, NaN for NaN. */
    public static FloatVector exp(FloatVector x) {
        FloatVector c = x.max(MIN).min(MAX);
        FloatVector n = c.fma(FloatVector.broadcast(F, LOG2E), FloatVector.broadcast(F, NEAREST)).sub(NEAREST);
        FloatVector r = n.fma(FloatVector.broadcast(F, -LN2_HI), c);
        r = n.fma(FloatVector.broadcast(F, -LN2_LO), r);
        FloatVector p = FloatVector.broadcast(F, P0).fma(r, FloatVector.broadcast(F, P1));
        p = p.fma(r, FloatVector.broadcast(F, P2));
        p = p.fma(r, FloatVector.broadcast(F, P3));
        p = p.fma(r, FloatVector.broadcast(F, P4));
        p = p.fma(r, FloatVector.broadcast(F, P5));
        FloatVector y = p.fma(r.mul(r), r).add(1f);
        IntVector bits = ((IntVector) n.convert(VectorOperators.F2I, 0)).add(127).lanewise(VectorOperators.LSHL, 23);
        FloatVector e = y.mul(bits.reinterpretAsFloats());
        return e.blend(0f, x.lt(MIN)).blend(Float.POSITIVE_INFINITY, x.compare(VectorOperators.GT, MAX)).blend(x, x.test(VectorOperators.IS_NAN));
    }

    /** {@code e^x} for one float: the same bits as a lane of {@link #exp(FloatVector)}. */
    public static float exp(float x) {
        if (Float.isNaN(x)) {
            return x;
        }
        if (x < MIN) {
            return 0f;
        }
        if (x > MAX) {
            return Float.POSITIVE_INFINITY;
        }
        float n = Math.fma(x, LOG2E, NEAREST) - NEAREST;
        float r = Math.fma(n, -LN2_HI, x);
        r = Math.fma(n, -LN2_LO, r);
        float p = Math.fma(P0, r, P1);
        p = Math.fma(p, r, P2);
        p = Math.fma(p, r, P3);
        p = Math.fma(p, r, P4);
        p = Math.fma(p, r, P5);
        float y = Math.fma(p, r * r, r) + 1f;
        return y * Float.intBitsToFloat(((int) n + 127) << 23);
    }

    /** The sum of {@code v}'s lanes, in one fixed order ({@link VectorShapes#sum}). */
    public static float sum(FloatVector v) {
        return VectorShapes.sum(v);
    }

    private StableMath() {}
}
