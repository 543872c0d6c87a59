package dev.tangram.inference.kernels;

import static dev.tangram.inference.kernels.VectorShapes.F;
import static dev.tangram.inference.kernels.VectorShapes.L;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Random;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

class StableMathTest {
    /** Every lane of the vector exponential equals the scalar one, bit for bit, and both are within 2 ulps of e^x. */
    @Test
    void vectorAndScalarExponentialsAgreeBitForBitAndStayCloseToTheTrueValue() {
        Random rnd = new Random(5);
        float[] x = new float[64 * L];
        for (int i = 0; i < x.length; i++) {
            x[i] = i % 3 == 0 ? -20 * rnd.nextFloat() : StableMath.MIN + (StableMath.MAX - StableMath.MIN) * rnd.nextFloat();
        }
        float[] lanes = exps(x);
        for (int i = 0; i < x.length; i++) {
            float scalar = StableMath.exp(x[i]);
            assertThat(Float.floatToRawIntBits(lanes[i])).as("e^%s", x[i]).isEqualTo(Float.floatToRawIntBits(scalar));
            double exact = Math.exp(x[i]);
            assertThat(Math.abs(scalar - exact)).as("e^%s = %s against %s", x[i], scalar, exact).isLessThanOrEqualTo(2 * Math.ulp((float) exact));
        }
    }

    @Test
    void theEdgesAreExactOrSaturated() {
        float[] x = new float[L];
        Arrays.fill(x, 0f);
        float[] edges = {0f, -0f, Float.NEGATIVE_INFINITY, -87.31f, -1000f, Float.NaN, 88.5f, Float.POSITIVE_INFINITY, StableMath.MIN, StableMath.MAX};
        System.arraycopy(edges, 0, x, 0, Math.min(L, edges.length));
        float[] lanes = exps(x);
        float[] expected = {1f, 1f, 0f, 0f, 0f, Float.NaN, Float.POSITIVE_INFINITY, Float.POSITIVE_INFINITY};
        for (int i = 0; i < Math.min(L, expected.length); i++) {
            assertThat(Float.valueOf(lanes[i])).as("e^%s in a lane", x[i]).isEqualTo(Float.valueOf(expected[i]));
            assertThat(Float.valueOf(StableMath.exp(x[i]))).as("e^%s", x[i]).isEqualTo(Float.valueOf(expected[i]));
        }
        // the ends of the range are normal floats: the smallest e^x kept and the largest
        assertThat(StableMath.exp(StableMath.MIN)).isGreaterThanOrEqualTo(Float.MIN_NORMAL).isLessThan(2 * Float.MIN_NORMAL);
        assertThat(StableMath.exp(StableMath.MAX)).isCloseTo((float) Math.exp(88), org.assertj.core.data.Percentage.withPercentage(1e-4));
    }

    /**
     * The same inputs give the same bits from the first pass (interpreted) to the last (compiled by C2 once the loop is
     * hot): what {@code lanewise(EXP)} and {@code reduceLanes(ADD)} do not promise.
     */
    @Test
    void theSameBitsBeforeAndAfterTheJitCompilesThem() {
        Random rnd = new Random(6);
        float[] x = new float[16 * L + 3];
        for (int i = 0; i < x.length; i++) {
            x[i] = -30 * rnd.nextFloat();
        }
        float first = sumOfExps(x);
        for (int pass = 0; pass < 20_000; pass++) {
            assertThat(Float.floatToRawIntBits(sumOfExps(x))).as("pass %d", pass).isEqualTo(Float.floatToRawIntBits(first));
        }
    }

    private static float[] exps(float[] x) {
        float[] out = new float[x.length];
        for (int i = 0; i < x.length; i += L) {
            StableMath.exp(FloatVector.fromArray(F, x, i)).intoArray(out, i);
        }
        return out;
    }

    /** A softmax denominator as attention takes it: lanes, their sum in the fixed order, then the tail lane by lane. */
    private static float sumOfExps(float[] x) {
        FloatVector sum = FloatVector.zero(F);
        int i = 0;
        for (int bound = F.loopBound(x.length); i < bound; i += L) {
            sum = sum.add(StableMath.exp(FloatVector.fromArray(F, x, i)));
        }
        float s = StableMath.sum(sum);
        for (; i < x.length; i++) {
            s += StableMath.exp(x[i]);
        }
        return s;
    }
}
