package dev.tangram.inference.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class RopeScalingTest {
    private static final double EPS = 1e-9;

    @Test
    void yarnKeepsTheFastPairsAndScalesTheSlowOnesWithARampBetween() {
        // 16 values, base 10000, trained over 64 positions: the pair turning 32 times over them is -0.99 (floored, then at
        // least 0), the one turning once 2.02 (ceiled: 3); pairs 0..3 ramp from 1 to 0
        RopeScaling.Yarn yarn = RopeScaling.Yarn.of(64);
        assertThat(yarn.ramp(0, 16, 10000)).isCloseTo(1, within(EPS));
        assertThat(yarn.ramp(1, 16, 10000)).isCloseTo(2 / 3.0, within(EPS));
        assertThat(yarn.ramp(2, 16, 10000)).isCloseTo(1 / 3.0, within(EPS));
        assertThat(yarn.ramp(3, 16, 10000)).isCloseTo(0, within(EPS));
        assertThat(yarn.ramp(7, 16, 10000)).isCloseTo(0, within(EPS));
        assertThat(RopeScaling.Yarn.NONE.ramp(0, 16, 10000)).isZero();
    }

    @Test
    void aQwen3ShapedYarnRampsOverPairs23To40() {
        // 128 values, base 1e6, trained over 32768 positions: the bounds are 23.6 and 39.7, rounded outwards
        RopeScaling.Yarn yarn = RopeScaling.Yarn.of(32768);
        assertThat(yarn.ramp(23, 128, 1e6)).isCloseTo(1, within(EPS));
        assertThat(yarn.ramp(24, 128, 1e6)).isCloseTo(1 - 1 / 17.0, within(EPS));
        assertThat(yarn.ramp(39, 128, 1e6)).isCloseTo(1 / 17.0, within(EPS));
        assertThat(yarn.ramp(40, 128, 1e6)).isCloseTo(0, within(EPS));
    }

    @Test
    void theFrequenciesMixTheScaledAndTheOriginalOnesByTheRamp() {
        RopeScaling yarn = new RopeScaling(0.25f, 1f, RopeScaling.Yarn.of(64));
        float[] f = yarn.inverseFrequencies(16, 10000f, 0.25f, null);
        assertThat(f[0]).isCloseTo(1f, within(1e-6f));
        assertThat((double) f[1]).isCloseTo(Math.pow(10000, -2.0 / 16) * (0.25 / 3 + 2 / 3.0), within(1e-6));
        assertThat((double) f[5]).isCloseTo(Math.pow(10000, -10.0 / 16) * 0.25, within(1e-7));
        // a layer of scale 1 (a Gemma 3 local layer) keeps every frequency
        assertThat((double) yarn.inverseFrequencies(16, 10000f, 1f, null)[5]).isCloseTo(Math.pow(10000, -10.0 / 16), within(1e-7));
        // linear scaling scales them all; the pair's factor divides
        float[] linear = RopeScaling.linear(0.5f).inverseFrequencies(16, 10000f, 0.5f, new float[] {2, 1, 1, 1, 1, 1, 1, 4});
        assertThat(linear[0]).isCloseTo(0.25f, within(1e-7f));
        assertThat((double) linear[7]).isCloseTo(0.5 * Math.pow(10000, -14.0 / 16) / 4, within(1e-9));
    }

    @Test
    void yarnGrowsTheRotatedValuesByOneTenthOfTheLogOfItsFactor() {
        RopeScaling yarn = new RopeScaling(0.25f, 0.9f, RopeScaling.Yarn.of(64));
        assertThat(yarn.magnitude(0.25f)).isCloseTo(0.9 * (1 + 0.1 * Math.log(4)), within(1e-6));
        assertThat(yarn.magnitude(1f)).as("a layer that is not scaled").isCloseTo(0.9, within(1e-6));
        assertThat(new RopeScaling(0.25f, 0.9f, RopeScaling.Yarn.NONE).magnitude(0.25f)).as("linear scaling").isCloseTo(0.9, within(1e-6));
    }

    /**
     * Mistral 3's log multiplier m: the growth becomes (1 + 0.1 · ln f) / (1 + 0.1 · m · ln f), so none with m = 1 (Ministral
     * 3's); a layer that is not scaled is divided by the same figure, as llama.cpp does.
     */
    @Test
    void aLogMultiplierDividesTheGrowthAsLlamaCppDoes() {
        RopeScaling one = new RopeScaling(0.25f, 1f, new RopeScaling.Yarn(64, 32, 1, 1));
        assertThat(one.magnitude(0.25f)).isCloseTo(1, within(1e-6));
        RopeScaling half = new RopeScaling(0.25f, 1f, new RopeScaling.Yarn(64, 32, 1, 0.5f));
        assertThat(half.magnitude(0.25f)).isCloseTo((1 + 0.1 * Math.log(4)) / (1 + 0.05 * Math.log(4)), within(1e-6));
        assertThat(half.magnitude(1f)).isCloseTo(1 / (1 + 0.05 * Math.log(4)), within(1e-6));
    }

    @Test
    void whatRopeCannotTakeIsRefused() {
        assertThatThrownBy(() -> RopeScaling.linear(0)).hasMessageContaining("position scale must be positive");
        assertThatThrownBy(() -> new RopeScaling(1, Float.NaN, RopeScaling.Yarn.NONE)).hasMessageContaining("attention factor");
        assertThatThrownBy(() -> new RopeScaling(2, 1, RopeScaling.Yarn.of(64))).hasMessageContaining("at least 1, not 0.5");
        assertThatThrownBy(() -> new RopeScaling.Yarn(64, 1, 32, 0)).hasMessageContaining("fast > slow > 0");
        assertThatThrownBy(() -> new RopeScaling.Yarn(64, 32, 1, -1)).hasMessageContaining("log multiplier of at least 0");
    }
}
