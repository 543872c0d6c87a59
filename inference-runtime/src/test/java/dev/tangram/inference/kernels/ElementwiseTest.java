package dev.tangram.inference.kernels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class ElementwiseTest {
    /**
     * gpt-oss's clamped SwiGLU against ggml's {@code swiglu_oai} written out in doubles: the gate clamped from above at 7
     * (not from below), the up clamped at ±7, {@code g·σ(1.702·g)·(u + 1)}; only the range given is changed.
     */
    @Test
    void theClampedSwiGluOfGptOssClampsTheGateFromAboveAndTheUpOnBothSides() {
        float[] gate = {-9f, -1f, 0f, 0.5f, 3f, 6.9f, 7.5f, 20f, 2f, 1f};
        float[] up = {0.5f, -2f, 4f, -8f, 9f, 1f, -1f, 3f, -20f, 1f};
        float[] before = gate.clone();
        Elementwise.swiGluOai(gate, up, 0, 9);
        for (int i = 0; i < 9; i++) {
            double g = Math.min(before[i], 7.0);
            double u = Math.max(-7.0, Math.min(up[i], 7.0));
            double expected = g / (1 + Math.exp(-1.702 * g)) * (u + 1);
            assertThat((double) gate[i]).as("element %d", i).isCloseTo(expected, within(1e-5 * Math.max(1, Math.abs(expected))));
        }
        assertThat(gate[9]).isEqualTo(1f); // past the range: untouched
        // the clamps bite: a gate of 20 acts as 7, an up of −20 as −7, and a gate of −9 is not raised to −7
        assertThat(gate[7]).isCloseTo((float) (7 / (1 + Math.exp(-1.702 * 7)) * 4), within(1e-5f));
        assertThat(gate[8]).isCloseTo((float) (2 / (1 + Math.exp(-1.702 * 2)) * -6), within(1e-5f));
        assertThat(gate[0]).isCloseTo((float) (-9 / (1 + Math.exp(1.702 * 9)) * 1.5), within(1e-7f));
    }
}
