package dev.tangram.inference.kernels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GroupedAttentionTest {
    /**
     * Keys and values stored in the kernel's layout through a shuffled block table, attended to, and compared with
     * softmax attention written out in doubles over the same vectors: group sizes that take the four-head path, the
     * one-head path and both; head sizes that are and are not a multiple of the vector length; block sizes below, equal
     * to, between and above multiples of the vector length, and above a tile; contexts of one position, of exactly one
     * tile, and of several tiles (where the running maximum moves).
     */
    @ParameterizedTest
    @CsvSource({
        "1, 64, 1, 16", "4, 64, 256, 16", "4, 64, 257, 16", "8, 64, 700, 16", "2, 16, 300, 4", "5, 20, 513, 7",
        "6, 128, 90, 16", "3, 8, 260, 1", "4, 64, 333, 20", "4, 32, 650, 300", "4, 64, 40, 32"})
    void matchesADoublePrecisionSoftmaxAttention(int group, int headDim, int positions, int blockSize) {
        check(group, headDim, positions, blockSize, 0, 0);
    }

    /** Gemma 2's soft cap on the scaled scores, with and without a window (a cap of 0.3 bites on these scores). */
    @ParameterizedTest
    @CsvSource({"4, 64, 40, 16, 0", "2, 16, 300, 4, 250", "1, 64, 9, 4, 8"})
    void cappedScoresMatchTheirDoublePrecisionSoftmax(int group, int headDim, int positions, int blockSize, int first) {
        check(group, headDim, positions, blockSize, first, 0.3f);
    }

    /**
     * A sliding window's attention: positions before {@code first} are left out, whether the window starts at a block's
     * start, inside a block, or in a later tile.
     */
    @ParameterizedTest
    @CsvSource({"4, 64, 40, 16, 16", "4, 64, 40, 16, 17", "2, 16, 300, 4, 250", "5, 20, 513, 7, 3", "4, 64, 333, 20, 301",
        "1, 64, 9, 4, 8", "3, 8, 260, 1, 259"})
    void aWindowAttendsOnlyFromItsFirstPosition(int group, int headDim, int positions, int blockSize, int first) {
        check(group, headDim, positions, blockSize, first, 0);
    }

    private static void check(int group, int headDim, int positions, int blockSize, int first, float cap) {
        Random r = new Random(group * 1000L + positions * 7L + blockSize);
        int kvHeads = 2;
        int kvHead = 1;
        int kvDim = kvHeads * headDim;
        int blocks = (positions + blockSize - 1) / blockSize + 3;
        List<Integer> order = new ArrayList<>();
        for (int b = 0; b < blocks; b++) {
            order.add(b);
        }
        Collections.shuffle(order, r);
        int[] table = order.stream().mapToInt(Integer::intValue).toArray();
        float[][] k = new float[positions][kvDim];
        float[][] v = new float[positions][kvDim];
        for (int p = 0; p < positions; p++) {
            for (int i = 0; i < kvDim; i++) {
                k[p][i] = (float) r.nextGaussian() * 2;
                v[p][i] = (float) r.nextGaussian();
            }
        }
        int qOff = 3;
        float[] q = new float[qOff + group * headDim];
        for (int i = 0; i < q.length; i++) {
            q[i] = (float) r.nextGaussian();
        }
        // one position far above the rest, late, so that the maximum moves in a later tile
        if (positions > 300) {
            for (int d = 0; d < headDim; d++) {
                k[positions - 5][kvHead * headDim + d] = q[qOff + d] * 4;
            }
        }
        float[] keys = new float[blocks * blockSize * kvDim];
        float[] values = new float[keys.length];
        for (int p = 0; p < positions; p++) {
            GroupedAttention.store(k[p], 0, v[p], 0, keys, values, table[p / blockSize], p % blockSize, blockSize, kvHeads, headDim);
        }
        float scale = (float) (1 / Math.sqrt(headDim));
        float[] out = new float[1 + group * headDim];
        GroupedAttention kernel = new GroupedAttention(group, headDim, cap);
        if (first == 0) {
            kernel.attend(q, qOff, scale, keys, values, table, blockSize, kvHeads, kvHead, positions, out, 1);
        } else {
            kernel.attend(q, qOff, scale, keys, values, table, blockSize, kvHeads, kvHead, first, positions, out, 1);
        }

        for (int g = 0; g < group; g++) {
            double[] s = new double[positions];
            double max = Double.NEGATIVE_INFINITY;
            for (int p = first; p < positions; p++) {
                double dot = 0;
                for (int d = 0; d < headDim; d++) {
                    dot += (double) q[qOff + g * headDim + d] * k[p][kvHead * headDim + d];
                }
                s[p] = cap == 0 ? dot * scale : cap * Math.tanh(dot * scale / cap);
                max = Math.max(max, s[p]);
            }
            double total = 0;
            for (int p = first; p < positions; p++) {
                s[p] = Math.exp(s[p] - max);
                total += s[p];
            }
            for (int d = 0; d < headDim; d++) {
                double expected = 0;
                for (int p = first; p < positions; p++) {
                    expected += s[p] / total * v[p][kvHead * headDim + d];
                }
                assertThat((double) out[1 + g * headDim + d]).as("head %d, element %d", g, d)
                        .isCloseTo(expected, within(2e-5 + 1e-4 * Math.abs(expected)));
            }
        }
        assertThat(out[0]).isZero(); // nothing written before outOff

        // the same kernel again, now over fewer positions: nothing of the first call leaks into the second
        float[] again = new float[1 + group * headDim];
        kernel.attend(q, qOff, scale, keys, values, table, blockSize, kvHeads, kvHead, first, positions, again, 1);
        // within a last bit: the Vector API's EXP may have been compiled between the calls, which moves last bits
        assertThat(again).containsExactly(out, within(1e-6f));
    }

    /**
     * A cache of halves gives exactly what the float kernel gives over the same values rounded to halves: the halves are
     * stored rounded to the nearest, and widened a tile at a time into the same arithmetic in the same order. Shapes with
     * the four-head and one-head paths, several tiles, a window and a cap; the same kernel instance moves between the two
     * caches and block sizes.
     */
    @ParameterizedTest
    @CsvSource({"4, 64, 257, 16, 0, 0", "5, 20, 513, 7, 3, 0", "3, 8, 260, 1, 259, 0", "4, 32, 650, 300, 0, 0", "2, 16, 300, 4, 250, 0.3",
        "1, 64, 9, 4, 0, 0.3", "6, 128, 90, 16, 40, 0"})
    void aCacheOfHalvesAttendsExactlyAsFloatsRoundedToHalves(int group, int headDim, int positions, int blockSize, int first, float cap) {
        Random r = new Random(positions * 31L + blockSize);
        int kvHeads = 2;
        int kvDim = kvHeads * headDim;
        int blocks = (positions + blockSize - 1) / blockSize + 1;
        int[] table = new int[blocks];
        for (int b = 0; b < blocks; b++) {
            table[b] = blocks - 1 - b;
        }
        float[] keys = new float[blocks * blockSize * kvDim];
        float[] values = new float[keys.length];
        short[] halfKeys = new short[keys.length];
        short[] halfValues = new short[keys.length];
        for (int p = 0; p < positions; p++) {
            float[] k = new float[kvDim];
            float[] v = new float[kvDim];
            float[] kRounded = new float[kvDim];
            float[] vRounded = new float[kvDim];
            for (int i = 0; i < kvDim; i++) {
                k[i] = (float) r.nextGaussian() * 2;
                v[i] = (float) r.nextGaussian();
                kRounded[i] = Float.float16ToFloat(Float.floatToFloat16(k[i]));
                vRounded[i] = Float.float16ToFloat(Float.floatToFloat16(v[i]));
            }
            GroupedAttention.store(kRounded, 0, vRounded, 0, keys, values, table[p / blockSize], p % blockSize, blockSize, kvHeads, headDim);
            GroupedAttention.store(k, 0, v, 0, halfKeys, halfValues, table[p / blockSize], p % blockSize, blockSize, kvHeads, headDim);
        }
        float[] q = new float[group * headDim];
        for (int i = 0; i < q.length; i++) {
            q[i] = (float) r.nextGaussian();
        }
        float scale = (float) (1 / Math.sqrt(headDim));
        GroupedAttention kernel = new GroupedAttention(group, headDim, cap);
        for (int kvHead = 0; kvHead < kvHeads; kvHead++) {
            float[] fromFloats = new float[group * headDim];
            float[] fromHalves = new float[group * headDim];
            kernel.attend(q, 0, scale, keys, values, table, blockSize, kvHeads, kvHead, first, positions, fromFloats, 0);
            kernel.attend(q, 0, scale, halfKeys, halfValues, table, blockSize, kvHeads, kvHead, first, positions, fromHalves, 0);
            // within a last bit only where the Vector API's EXP may have been compiled between the calls
            assertThat(fromHalves).as("KV head %d", kvHead).containsExactly(fromFloats, within(1e-6f));
        }
        // and a smaller block size afterwards: the widened tiles follow the kernel's new tile
        float[] floatsAgain = new float[group * headDim];
        float[] halvesAgain = new float[group * headDim];
        int bs2 = Math.max(1, blockSize / 2);
        float[] k2 = new float[4 * bs2 * kvDim];
        short[] h2 = new short[k2.length];
        for (int p = 0; p < 4 * bs2; p++) {
            float[] k = new float[kvDim];
            for (int i = 0; i < kvDim; i++) {
                k[i] = Float.float16ToFloat(Float.floatToFloat16((float) r.nextGaussian()));
            }
            GroupedAttention.store(k, 0, k, 0, k2, new float[k2.length], p / bs2, p % bs2, bs2, kvHeads, headDim);
        }
        for (int i = 0; i < k2.length; i++) {
            h2[i] = Float.floatToFloat16(k2[i]);
        }
        int[] table2 = {3, 1, 0, 2};
        // the keys' array read as values too: any numbers do, the two caches hold the same ones
        kernel.attend(q, 0, scale, k2, k2, table2, bs2, kvHeads, 0, 0, 4 * bs2, floatsAgain, 0);
        kernel.attend(q, 0, scale, h2, h2, table2, bs2, kvHeads, 0, 0, 4 * bs2, halvesAgain, 0);
        assertThat(halvesAgain).containsExactly(floatsAgain, within(1e-6f));
    }
}
