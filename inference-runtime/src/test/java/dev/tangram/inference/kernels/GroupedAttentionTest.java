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
        check(group, headDim, positions, blockSize, 0, 0, false);
    }

    /**
     * gpt-oss's sinks: each head's logit joins the softmax's sum and maximum with no value. The sinks range from far below
     * the scores to far above them (where the output all but vanishes and the maximum is the sink's), over one tile and
     * several, with and without a window, and at an offset into the sink array.
     */
    @ParameterizedTest
    @CsvSource({"4, 64, 40, 16, 0", "5, 20, 513, 7, 0", "2, 16, 300, 4, 250", "1, 64, 9, 4, 8", "6, 128, 90, 16, 0"})
    void sinksJoinTheSoftmaxAsADoublePrecisionOneWithThemDoes(int group, int headDim, int positions, int blockSize, int first) {
        check(group, headDim, positions, blockSize, first, 0, true);
    }

    /** Gemma 2's soft cap on the scaled scores, with and without a window (a cap of 0.3 bites on these scores). */
    @ParameterizedTest
    @CsvSource({"4, 64, 40, 16, 0", "2, 16, 300, 4, 250", "1, 64, 9, 4, 8"})
    void cappedScoresMatchTheirDoublePrecisionSoftmax(int group, int headDim, int positions, int blockSize, int first) {
        check(group, headDim, positions, blockSize, first, 0.3f, false);
    }

    /**
     * A sliding window's attention: positions before {@code first} are left out, whether the window starts at a block's
     * start, inside a block, or in a later tile.
     */
    @ParameterizedTest
    @CsvSource({"4, 64, 40, 16, 16", "4, 64, 40, 16, 17", "2, 16, 300, 4, 250", "5, 20, 513, 7, 3", "4, 64, 333, 20, 301",
        "1, 64, 9, 4, 8", "3, 8, 260, 1, 259"})
    void aWindowAttendsOnlyFromItsFirstPosition(int group, int headDim, int positions, int blockSize, int first) {
        check(group, headDim, positions, blockSize, first, 0, false);
    }

    private static void check(int group, int headDim, int positions, int blockSize, int first, float cap, boolean withSinks) {
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
        // the group's sinks at offset 2: from 4 below to 12 above the typical scaled score
        int sinkOff = 2;
        float[] sinks = withSinks ? new float[sinkOff + group] : null;
        for (int g = 0; withSinks && g < group; g++) {
            sinks[sinkOff + g] = -4 + 16f * g / Math.max(1, group - 1);
        }
        if (withSinks) {
            kernel.attend(q, qOff, scale, keys, values, table, blockSize, kvHeads, kvHead, first, positions, out, 1, sinks, sinkOff);
        } else if (first == 0) {
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
            double sink = withSinks ? sinks[sinkOff + g] : Double.NEGATIVE_INFINITY;
            max = Math.max(max, sink);
            double total = withSinks ? Math.exp(sink - max) : 0;
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
        kernel.attend(q, qOff, scale, keys, values, table, blockSize, kvHeads, kvHead, first, positions, again, 1, sinks, sinkOff);
        // within a last bit: the Vector API's EXP may have been compiled between the calls, which moves last bits
        assertThat(again).containsExactly(out, within(1e-6f));
    }

    /**
     * A narrow cache gives exactly what the float kernel gives over the same values rounded as it rounds them (to the
     * nearest half; to llama.cpp's Q8_0 blocks, as the GGUF writer encodes them): the values are rounded once when
     * stored, and widened a tile at a time into the same arithmetic in the same order. Shapes with the four-head and
     * one-head paths, several tiles, a window and a cap; the same kernel instance moves between the two caches and block
     * sizes.
     */
    @ParameterizedTest
    @CsvSource({"f16, 4, 64, 257, 16, 0, 0", "f16, 5, 20, 513, 7, 3, 0", "f16, 3, 8, 260, 1, 259, 0", "f16, 4, 32, 650, 300, 0, 0",
        "f16, 2, 16, 300, 4, 250, 0.3", "f16, 1, 64, 9, 4, 0, 0.3", "f16, 6, 128, 90, 16, 40, 0",
        "q8_0, 4, 64, 257, 16, 0, 0", "q8_0, 5, 32, 513, 7, 3, 0", "q8_0, 3, 32, 260, 1, 259, 0", "q8_0, 4, 32, 650, 300, 0, 0",
        "q8_0, 1, 64, 9, 4, 0, 0.3", "q8_0, 6, 128, 90, 16, 40, 0", "q8_0, 2, 96, 100, 5, 0, 0"})
    void aNarrowCacheAttendsExactlyAsFloatsRoundedTheSameWay(String type, int group, int headDim, int positions, int blockSize, int first,
                                                             float cap) {
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
        NarrowKv narrow = narrow(type, blocks, blockSize, kvHeads, headDim);
        for (int p = 0; p < positions; p++) {
            float[] k = new float[kvDim];
            float[] v = new float[kvDim];
            for (int i = 0; i < kvDim; i++) {
                k[i] = (float) r.nextGaussian() * 2;
                v[i] = (float) r.nextGaussian();
            }
            GroupedAttention.store(rounded(type, k), 0, rounded(type, v), 0, keys, values, table[p / blockSize], p % blockSize, blockSize,
                    kvHeads, headDim);
            narrow.store(k, 0, v, 0, table[p / blockSize], p % blockSize);
        }
        float[] q = new float[group * headDim];
        for (int i = 0; i < q.length; i++) {
            q[i] = (float) r.nextGaussian();
        }
        float scale = (float) (1 / Math.sqrt(headDim));
        GroupedAttention kernel = new GroupedAttention(group, headDim, cap);
        for (int kvHead = 0; kvHead < kvHeads; kvHead++) {
            float[] fromFloats = new float[group * headDim];
            float[] fromNarrow = new float[group * headDim];
            kernel.attend(q, 0, scale, keys, values, table, blockSize, kvHeads, kvHead, first, positions, fromFloats, 0);
            kernel.attend(q, 0, scale, narrow, table, kvHead, first, positions, fromNarrow, 0);
            // within a last bit only where the Vector API's EXP may have been compiled between the calls
            assertThat(fromNarrow).as("KV head %d", kvHead).containsExactly(fromFloats, within(1e-6f));
        }
        // and a smaller block size afterwards: the widened tiles follow the kernel's new tile
        int bs2 = Math.max(1, blockSize / 2);
        float[] k2 = new float[4 * bs2 * kvDim];
        float[] v2 = new float[k2.length];
        NarrowKv n2 = narrow(type, 4, bs2, kvHeads, headDim);
        for (int p = 0; p < 4 * bs2; p++) {
            float[] k = new float[kvDim];
            float[] v = new float[kvDim];
            for (int i = 0; i < kvDim; i++) {
                k[i] = (float) r.nextGaussian();
                v[i] = (float) r.nextGaussian();
            }
            GroupedAttention.store(rounded(type, k), 0, rounded(type, v), 0, k2, v2, p / bs2, p % bs2, bs2, kvHeads, headDim);
            n2.store(k, 0, v, 0, p / bs2, p % bs2);
        }
        int[] table2 = {3, 1, 0, 2};
        float[] floatsAgain = new float[group * headDim];
        float[] narrowAgain = new float[group * headDim];
        kernel.attend(q, 0, scale, k2, v2, table2, bs2, kvHeads, 0, 0, 4 * bs2, floatsAgain, 0);
        kernel.attend(q, 0, scale, n2, table2, 0, 0, 4 * bs2, narrowAgain, 0);
        assertThat(narrowAgain).containsExactly(floatsAgain, within(1e-6f));
    }

    static NarrowKv narrow(String type, int blocks, int blockSize, int kvHeads, int headDim) {
        return type.equals("f16") ? HalfKv.allocate(blocks, blockSize, kvHeads, headDim) : Q8Kv.allocate(blocks, blockSize, kvHeads, headDim);
    }

    /** {@code x} as a narrow cache of {@code type} keeps it. */
    static float[] rounded(String type, float[] x) {
        return type.equals("f16") ? NarrowRounding.toHalves(x) : NarrowRounding.throughQ8Blocks(x);
    }
}
