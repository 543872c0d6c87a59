package dev.tangram.inference.kernels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class Int8ActivationsTest {
    @Test
    void eachBlockIsScaledByItsOwnLargestMagnitudeAndEveryValueLandsWithinHalfAStep() {
        float[] x = QuantizedMatrixTest.random(4 * 32, 21);
        for (int i = 32; i < 64; i++) {
            x[i] *= 1000; // a block of large values beside blocks of small ones
        }
        x[70] = -3f; // the third block's largest magnitude is negative
        Int8Activations a = new Int8Activations();
        a.quantize(x, 1, x.length);
        float[] rounded = new float[x.length];
        Int8Activations.round(x, x.length, rounded);
        for (int b = 0; b < 4; b++) {
            float max = 0;
            int sum = 0;
            for (int i = b * 32; i < (b + 1) * 32; i++) {
                max = Math.max(max, Math.abs(x[i]));
                sum += a.levels()[i];
            }
            float scale = a.scales()[b];
            assertThat(scale).as("block %d", b).isEqualTo(max / 127f);
            assertThat(a.offsets()[b]).as("block %d: 8 × the levels' sum", b).isEqualTo(8 * sum);
            for (int i = b * 32; i < (b + 1) * 32; i++) {
                short level = a.levels()[i];
                assertThat((int) level).isBetween(-127, 127);
                assertThat(Math.abs(level * scale - x[i])).as("value %d", i).isLessThanOrEqualTo(scale / 2 * 1.0001f);
                // the float paths multiply exactly what the one-token path does
                assertThat(rounded[i]).as("value %d", i).isEqualTo(level * scale);
                if (Math.abs(x[i]) == max) {
                    assertThat(Math.abs(level)).isEqualTo((short) 127);
                }
            }
        }
        assertThat(a.levels()[70]).isEqualTo((short) -127);
    }

    @Test
    void aBlockOfZerosStaysZeroWithoutDividingByZero() {
        float[] x = new float[64];
        x[40] = 0.5f;
        Int8Activations a = new Int8Activations();
        a.quantize(x, 1, 64);
        assertThat(a.scales()[0]).isZero();
        assertThat(a.offsets()[0]).isZero();
        for (int i = 0; i < 32; i++) {
            assertThat(a.levels()[i]).isZero();
        }
        float[] rounded = new float[64];
        Int8Activations.round(x, 64, rounded);
        assertThat(rounded).containsExactly(x);
    }

    @Test
    void severalTokensAreKeptTileByTileAsTheFewTokenProductsReadThem() {
        int cols = 64, blocks = 2, tokens = 7; // a tile of four tokens, then one of three
        float[] x = QuantizedMatrixTest.random(tokens * cols, 22);
        Int8Activations all = new Int8Activations();
        all.quantize(x, tokens, cols);
        Int8Activations one = new Int8Activations();
        for (int t0 = 0, w; t0 < tokens; t0 += w) {
            w = LaneTiles.width(false, tokens - t0);
            for (int t = 0; t < w; t++) {
                one.quantize(java.util.Arrays.copyOfRange(x, (t0 + t) * cols, (t0 + t + 1) * cols), 1, cols);
                for (int k = 0; k < cols; k++) {
                    assertThat(all.levels()[t0 * cols + k * w + t]).as("token %d value %d", t0 + t, k).isEqualTo(one.levels()[k]);
                }
                for (int b = 0; b < blocks; b++) {
                    assertThat(all.offsets()[t0 * blocks + b * w + t]).isEqualTo(one.offsets()[b]);
                    assertThat(all.scales()[t0 * blocks + b * w + t]).isEqualTo(one.scales()[b]);
                }
            }
        }
        // the arrays grown for seven tokens serve one token after
        all.quantize(x, 1, cols);
        one.quantize(x, 1, cols);
        assertThat(java.util.Arrays.copyOf(all.levels(), cols)).containsExactly(java.util.Arrays.copyOf(one.levels(), cols));
    }

    @Test
    void refusesInputsThatAreNotWholeBlocks() {
        assertThatThrownBy(() -> new Int8Activations().quantize(new float[48], 1, 48))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("whole blocks of 32: 48");
        assertThatThrownBy(() -> Int8Activations.round(new float[40], 40, new float[40]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("whole blocks of 32: 40");
    }
}
