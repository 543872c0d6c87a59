package dev.tangram.inference.kernels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class HadamardTest {
    /** The butterflies equal Sylvester's matrix over √n written out, undo themselves and keep dot products. */
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 64, 128, 256})
    void rotatesAsSylvestersMatrixUndoesItselfAndKeepsDotProducts(int n) {
        Random r = new Random(n);
        float[] x = new float[n + 3];
        float[] y = new float[n + 3];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
            y[i] = (float) r.nextGaussian();
        }
        float[] rx = x.clone();
        float[] ry = y.clone();
        Hadamard.rotate(rx, 3, n);
        Hadamard.rotate(ry, 3, n);
        double dot = 0;
        double rotatedDot = 0;
        for (int i = 0; i < n; i++) {
            double expected = 0;
            for (int j = 0; j < n; j++) {
                expected += (Integer.bitCount(i & j) % 2 == 0 ? 1 : -1) * x[3 + j];
            }
            assertThat((double) rx[3 + i]).isCloseTo(expected / Math.sqrt(n), within(1e-5));
            dot += (double) x[3 + i] * y[3 + i];
            rotatedDot += (double) rx[3 + i] * ry[3 + i];
        }
        assertThat(rotatedDot).isCloseTo(dot, within(1e-4));
        assertThat(rx[0]).isEqualTo(x[0]);
        Hadamard.rotate(rx, 3, n);
        for (int i = 0; i < x.length; i++) {
            assertThat(rx[i]).isCloseTo(x[i], within(1e-5f));
        }
    }

    @ParameterizedTest
    @CsvSource({"32, 0, 0", "48, 0, 0", "64, 64, 64", "96, 0, 0", "128, 128, 64", "192, 64, 64", "256, 256, 64", "320, 64, 64"})
    void keysTakeTheLargestPowerOfTwoThatDividesTheHeadFrom64AndValues64(int headDim, int keys, int values) {
        assertThat(Hadamard.keyRotation(headDim)).isEqualTo(keys);
        assertThat(Hadamard.valueRotation(headDim)).isEqualTo(values);
    }

    @ParameterizedTest
    @ValueSource(ints = {64, 128})
    void rotatesEachRunOnItsOwn(int n) {
        float[] x = new float[3 * n];
        x[n] = 1;
        Hadamard.rotateEach(x, 0, 3 * n, n);
        for (int i = 0; i < n; i++) {
            assertThat(x[i]).isZero();
            assertThat(x[n + i]).isCloseTo((float) (1 / Math.sqrt(n)), within(1e-7f));
            assertThat(x[2 * n + i]).isZero();
        }
    }
}
